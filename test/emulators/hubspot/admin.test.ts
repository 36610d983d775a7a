import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubspotEmulator, type HubspotEmulator } from './index.ts';
import { receiver } from './test-support/receiver.ts';
import { ALL_SCOPES, REDIRECT } from './test-support/setup.ts';

// /__emulator/*: everything a sandbox or a browser test can do with only the emulator's URL.

let emu: HubspotEmulator;
let url: string;
const rx = receiver((r) => (r.url.includes('/card') ? Response.json({ card: true }) : new Response(null, { status: 200 })));

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(`/__emulator${path}`, url), { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

let appId: number;
let portalId: number;
let accessToken: string;

beforeAll(async () => {
  emu = createHubspotEmulator({ rateLimits: false });
  emu.setOutboundFetch(rx.fetch);
  url = await emu.listen();
});
afterAll(() => emu.close());

describe('admin hooks over HTTP', () => {
  it('registers an app, creates and seeds a portal and hands out tokens the SDK can use', async () => {
    const app = await admin('POST', '/apps', {
      redirectUrls: [REDIRECT], scopes: ALL_SCOPES, permittedFetchOrigins: ['https://app.refcard.test'],
      webhooks: { targetUrl: 'https://app.refcard.test/hubspot/webhooks', subscriptions: { crmObjects: [{ subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'dealstage' }] } },
    });
    appId = app.json.appId;
    const portal = await admin('POST', '/portals', {});
    portalId = portal.json.portalId;
    const seeded = await admin('POST', `/portals/${portalId}/seed`, { contacts: [{ key: 'a', properties: { email: 'a@admin.test' } }], deals: [{ key: 'd', properties: { dealname: 'D' }, contacts: ['a'] }] });
    expect(seeded.json.contacts.a).toBeGreaterThan(0);
    const tokens = await admin('POST', '/tokens', { appId, portalId });
    accessToken = tokens.json.accessToken;
    const c = await new Client({ accessToken, basePath: url }).crm.contacts.basicApi.getById('a@admin.test', undefined, undefined, undefined, false, 'email');
    expect(c.id).toBe(String(seeded.json.contacts.a));
  });

  it('acts as a HubSpot user and the app receives the webhook', async () => {
    const dealId = emu.portal(portalId).deals[0].id;
    const moved = await admin('POST', '/ui/moveDealStage', { portalId, dealId, stageId: 'closedwon' });
    expect(moved.status).toBe(200);
    await admin('POST', '/webhooks/settle', {});
    expect(rx.batches().flat()).toContainEqual(expect.objectContaining({ propertyName: 'dealstage', propertyValue: 'closedwon', objectId: dealId }));
    const deliveries = await admin('GET', '/webhooks/deliveries');
    expect(deliveries.json.length).toBeGreaterThan(0);
    expect((await admin('POST', '/ui/noSuchThing', { portalId })).status).toBe(400);
    const created = await admin('POST', '/ui/createContact', { portalId, properties: { email: 'ui@admin.test' } });
    const read = await admin('GET', `/portals/${portalId}/contacts/ui@admin.test`);
    expect(read.json.id).toBe(created.json.id);
  });

  it('reads and clears the request log', async () => {
    await new Client({ accessToken, basePath: url }).crm.contacts.basicApi.getPage();
    const count = await admin('GET', `/requests/count?path=${encodeURIComponent('/crm/v3/objects/contacts')}&method=GET`);
    expect(count.json.count).toBe(1);
    await admin('DELETE', '/requests');
    expect((await admin('GET', '/requests')).json).toEqual([]);
  });

  it('injects and clears faults', async () => {
    await admin('POST', '/faults', { nextStatuses: [503] });
    const client = new Client({ accessToken, basePath: url });
    await expect(client.crm.contacts.basicApi.getPage()).rejects.toMatchObject({ code: 503 });
    await admin('DELETE', '/faults');
    await client.crm.contacts.basicApi.getPage();
  });

  it('drives the card over HTTP', async () => {
    const res = await admin('POST', '/card/fetch', { appId, portalId, userId: 1, userEmail: 'u@admin.test', url: 'https://app.refcard.test/hubspot/card' });
    expect(res.json).toMatchObject({ status: 200, json: { card: true } });
    const bad = await admin('POST', '/card/fetch', { appId, portalId, userId: 1, userEmail: 'u@admin.test', url: 'https://evil.refcard.test/x' });
    expect(bad).toMatchObject({ status: 502, json: { error: { code: 'ORIGIN_NOT_PERMITTED' } } });
  });

  it('advances the clock so tokens expire, and uninstalls', async () => {
    const client = new Client({ accessToken, basePath: url });
    await admin('POST', '/clock/advance', { ms: 1_800_000 });
    await expect(client.crm.contacts.basicApi.getPage()).rejects.toMatchObject({ code: 401, body: { category: 'EXPIRED_AUTHENTICATION' } });
    expect((await admin('POST', '/uninstall', { appId, portalId })).json).toEqual({ uninstalled: true });
    const state = await admin('GET', '/state');
    expect(state.json.installations).toEqual([]);
  });

  it('serves the API in-process too, for relative paths', async () => {
    const res = await emu.fetch('/__emulator/health');
    expect((await res.json()).ok).toBe(true);
  });
});
