import { Signature } from '@hubspot/api-client';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubspotEmulator, verifyV3, type HubspotEmulator, type HubspotEmulatorOptions, type AppConfig } from './index.ts';
import { receiver, sleep } from './test-support/receiver.ts';
import { ALL_SCOPES, REDIRECT } from './test-support/setup.ts';
import { Client } from '@hubspot/api-client';

// The webhook driver: what HubSpot POSTs to an app's targetUrl when portal data changes.

const TARGET = 'https://app.refcard.test/hubspot/webhooks';
const SUBSCRIPTIONS: AppConfig['webhooks'] = {
  targetUrl: TARGET,
  maxConcurrentRequests: 10,
  subscriptions: {
    crmObjects: [{ subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'dealstage', active: true }],
    legacyCrmObjects: [
      { subscriptionType: 'contact.creation', active: true },
      { subscriptionType: 'contact.deletion', active: true },
      { subscriptionType: 'contact.merge', active: true },
      { subscriptionType: 'contact.associationChange', active: true },
      { subscriptionType: 'contact.propertyChange', propertyName: 'lifecyclestage', active: true },
      { subscriptionType: 'contact.propertyChange', propertyName: 'not_in_this_portal', active: true },
      { subscriptionType: 'deal.creation', active: false },
      { subscriptionType: 'contact.restore', active: true },
    ],
    hubEvents: [{ subscriptionType: 'contact.privacyDeletion', active: true }],
  },
};

let emu: HubspotEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function setup(opts: HubspotEmulatorOptions = {}, respond?: Parameters<typeof receiver>[0], webhooks = SUBSCRIPTIONS) {
  emu = createHubspotEmulator({ webhookRetryDelaysMs: [10, 20, 30], ...opts });
  const rx = receiver(respond);
  emu.setOutboundFetch(rx.fetch);
  const app = emu.registerApp({ redirectUrls: [REDIRECT], scopes: ALL_SCOPES, webhooks });
  const portal = emu.createPortal();
  emu.installApp(app.appId, portal.portalId);
  return { emu, rx, app, portalId: portal.portalId, userId: portal.users[0].id };
}

describe('webhook delivery', () => {
  it('POSTs a deal stage change as a JSON array with HubSpot\'s event fields', async () => {
    const { emu, rx, app, portalId, userId } = setup();
    const deal = emu.ui.createDeal(portalId, { dealname: 'D' });
    emu.ui.moveDealStage(portalId, deal, 'closedwon');
    await emu.webhooks.settle();
    const events = rx.batches().flat().filter((e) => e.propertyName === 'dealstage');
    expect(events.map((e) => e.propertyValue)).toEqual(['appointmentscheduled', 'closedwon']);
    const e = events[1];
    expect(e).toEqual({
      eventId: expect.any(Number), subscriptionId: app.subscriptions[0].id, portalId, appId: app.appId, occurredAt: expect.any(Number),
      subscriptionType: 'object.propertyChange', attemptNumber: 0, objectId: deal, objectTypeId: '0-3',
      propertyName: 'dealstage', propertyValue: 'closedwon', changeSource: 'CRM_UI', sourceId: `userId:${userId}`,
    });
    expect(rx.received[0].method).toBe('POST');
    expect(rx.received[0].url).toBe(TARGET);
    expect(rx.received[0].headers['content-type']).toBe('application/json');
  });

  it('signs every delivery with v3 over method, targetUrl, body and timestamp, and with legacy v1', async () => {
    const { emu, rx, app, portalId } = setup();
    emu.ui.createContact(portalId, { email: 'sig@wh.test' });
    await emu.webhooks.settle();
    const r = rx.received[0];
    const ts = r.headers['x-hubspot-request-timestamp'];
    expect(verifyV3(app.clientSecret, 'POST', TARGET, r.body, r.headers['x-hubspot-signature-v3'], ts)).toBe(true);
    expect(Signature.isValid({ signatureVersion: 'v3', signature: r.headers['x-hubspot-signature-v3'], clientSecret: app.clientSecret, requestBody: r.body, url: TARGET, method: 'POST', timestamp: Number(ts) })).toBe(true);
    expect(r.headers['x-hubspot-signature-version']).toBe('v1');
    expect(Signature.isValid({ signature: r.headers['x-hubspot-signature'], clientSecret: app.clientSecret, requestBody: r.body })).toBe(true);
  });

  it('raises legacy creation, deletion, merge and association events with their extra fields', async () => {
    const { emu, rx, portalId } = setup();
    const a = emu.ui.createContact(portalId, { email: 'a@wh.test' });
    const b = emu.ui.createContact(portalId, { email: 'b@wh.test' });
    const deal = emu.ui.createDeal(portalId, { dealname: 'x' });
    emu.ui.associate(portalId, deal, a);
    emu.ui.mergeContacts(portalId, a, b);
    emu.ui.deleteContact(portalId, a);
    await emu.webhooks.settle();
    const byType = (t: string) => rx.batches().flat().filter((e) => e.subscriptionType === t);
    expect(byType('contact.creation').map((e) => [e.objectId, e.changeFlag])).toEqual([[a, 'CREATED'], [b, 'CREATED']]);
    expect(byType('contact.merge')[0]).toMatchObject({ objectId: a, primaryObjectId: a, mergedObjectIds: [b], newObjectId: a, changeFlag: 'MERGED' });
    expect(byType('contact.associationChange')[0]).toMatchObject({ associationType: 'CONTACT_TO_DEAL', fromObjectId: a, toObjectId: deal, associationRemoved: false });
    expect(byType('contact.deletion').map((e) => e.objectId)).toContain(a);
    expect(byType('deal.creation')).toEqual([]);
  });

  it('raises restore and privacy-deletion events', async () => {
    const { emu, rx, portalId } = setup();
    const id = emu.ui.createContact(portalId, { email: 'back@wh.test' });
    emu.ui.deleteContact(portalId, id);
    emu.ui.restoreContact(portalId, id);
    emu.ui.gdprDeleteContact(portalId, id);
    await emu.webhooks.settle();
    const types = rx.batches().flat().map((e) => [e.subscriptionType, e.objectId]);
    expect(types).toEqual([['contact.creation', id], ['contact.deletion', id], ['contact.restore', id], ['contact.privacyDeletion', id]]);
    expect(emu.portal(portalId).contact(id)).toBeUndefined();
  });

  it('fires nothing for a property the portal does not have, and only for the subscribed property', async () => {
    const { emu, rx, portalId } = setup();
    const id = emu.ui.createContact(portalId, { email: 'p@wh.test' });
    emu.ui.updateContact(portalId, id, { firstname: 'Ignored', lifecyclestage: 'customer' });
    await emu.webhooks.settle();
    const changes = rx.batches().flat().filter((e) => e.subscriptionType === 'contact.propertyChange');
    expect(changes.map((e) => [e.propertyName, e.propertyValue])).toEqual([['lifecyclestage', 'customer']]);
  });

  it('reports API writes with changeSource INTEGRATION', async () => {
    const { emu, rx, app, portalId } = setup();
    const url = await emu.listen();
    const t = emu.issueTokens(app.appId, portalId);
    await new Client({ accessToken: t.accessToken, basePath: url }).crm.contacts.basicApi.create({ properties: { email: 'api@wh.test' }, associations: [] });
    await emu.webhooks.settle();
    expect(rx.batches().flat()[0]).toMatchObject({ subscriptionType: 'contact.creation', changeSource: 'INTEGRATION', sourceId: String(app.appId) });
  });

  it('puts at most 100 events in one POST', async () => {
    const { emu, rx, portalId } = setup();
    for (let i = 0; i < 250; i++) emu.ui.createContact(portalId, { email: `bulk${i}@wh.test` });
    await emu.webhooks.settle();
    const sizes = rx.batches().map((b) => b.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('delivers to a real HTTP server on 127.0.0.1 through global fetch', async () => {
    const rx = receiver();
    const server = serve({ fetch: rx.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    try {
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hubspot/webhooks`;
      emu = createHubspotEmulator();
      const app = emu.registerApp({ redirectUrls: [REDIRECT], webhooks: { ...SUBSCRIPTIONS!, targetUrl: target } });
      const portal = emu.createPortal();
      emu.installApp(app.appId, portal.portalId);
      emu.ui.createContact(portal.portalId, { email: 'http@wh.test' });
      await emu.webhooks.settle();
      expect(rx.received).toHaveLength(1);
      expect(verifyV3(app.clientSecret, 'POST', target, rx.received[0].body, rx.received[0].headers['x-hubspot-signature-v3'], rx.received[0].headers['x-hubspot-request-timestamp'])).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('stops delivering once the app is uninstalled', async () => {
    const { emu, rx, app, portalId } = setup();
    emu.uninstall(app.appId, portalId);
    emu.ui.createContact(portalId, { email: 'gone@wh.test' });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(0);
  });
});

describe('redelivery', () => {
  it('retries a non-2xx answer with attemptNumber + 1 until it succeeds', async () => {
    const { emu, rx, portalId } = setup({}, (_r, i) => new Response(null, { status: i < 2 ? 500 : 200 }));
    emu.ui.createContact(portalId, { email: 'r@wh.test' });
    await emu.webhooks.settle();
    expect(rx.batches().map((b) => b[0].attemptNumber)).toEqual([0, 1, 2]);
    expect(new Set(rx.batches().map((b) => b[0].eventId)).size).toBe(1);
    expect(emu.webhooks.deliveries.map((d) => [d.status, d.ok, d.final])).toEqual([[500, false, false], [500, false, false], [200, true, true]]);
  });

  it('treats a reply slower than the deadline as failed and redelivers', async () => {
    const { emu, rx, portalId } = setup({ webhookTimeoutMs: 80 }, async (_r, i) => {
      if (i === 0) await sleep(200);
      return new Response(null, { status: 200 });
    });
    emu.ui.createContact(portalId, { email: 'slow@wh.test' });
    await emu.webhooks.settle();
    expect(emu.webhooks.deliveries[0]).toMatchObject({ ok: false, error: expect.stringContaining('80 ms') });
    expect(emu.webhooks.deliveries[1]).toMatchObject({ ok: true, attemptNumber: 1 });
    expect(rx.received).toHaveLength(2);
  });

  it('gives up after the configured number of retries', async () => {
    const { emu, rx, portalId } = setup({ webhookRetryDelaysMs: [5, 5] }, () => new Response(null, { status: 503 }));
    emu.ui.createContact(portalId, { email: 'dead@wh.test' });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(3);
    expect(emu.webhooks.deliveries.at(-1)).toMatchObject({ final: true, attemptNumber: 2, ok: false });
  });

  it('can skip statuses HubSpot may not retry', async () => {
    const { emu, rx, portalId } = setup({}, () => new Response(null, { status: 404 }));
    emu.webhooks.setBehaviour({ noRetryStatuses: [400, 401, 403, 404, 405] });
    emu.ui.createContact(portalId, { email: 'nr@wh.test' });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(1);
  });

  it('settles without waiting for scheduled redeliveries when asked', async () => {
    const { emu, rx, portalId } = setup({ webhookRetryDelaysMs: [60_000] }, () => new Response(null, { status: 500 }));
    emu.ui.createContact(portalId, { email: 'later@wh.test' });
    await emu.webhooks.settle({ retries: false });
    expect(rx.received).toHaveLength(1);
    await expect(emu.webhooks.settle({ timeoutMs: 50 })).rejects.toThrow(/settle/);
  });

  it('replays a logged batch exactly as it was sent', async () => {
    const { emu, rx, portalId } = setup();
    emu.ui.createContact(portalId, { email: 'replay@wh.test' });
    await emu.webhooks.settle();
    const replayed = await emu.webhooks.replay(emu.webhooks.deliveries[0].id);
    expect(replayed.replay).toBe(true);
    expect(rx.received[1].body).toBe(rx.received[0].body);
  });
});

describe('delivery knobs', () => {
  it('keeps at most maxConcurrentRequests POSTs in flight per portal', async () => {
    const { emu, rx, portalId } = setup({}, async () => {
      await sleep(30);
      return new Response(null, { status: 200 });
    }, { ...SUBSCRIPTIONS!, maxConcurrentRequests: 2 });
    emu.webhooks.setBehaviour({ maxBatchSize: 1 });
    for (let i = 0; i < 8; i++) emu.ui.createContact(portalId, { email: `cc${i}@wh.test` });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(8);
    expect(rx.maxInFlight).toBe(2);
  });

  it('duplicates events on demand, keeping their eventId', async () => {
    const { emu, rx, portalId } = setup();
    emu.webhooks.setBehaviour({ duplicateRate: 1 });
    emu.ui.createContact(portalId, { email: 'dup@wh.test' });
    await emu.webhooks.settle();
    const events = rx.batches().flat();
    expect(events).toHaveLength(2);
    expect(events[0].eventId).toBe(events[1].eventId);
  });

  it('shuffles events on demand, reproducibly for a seed', async () => {
    const order = async () => {
      const { emu, rx, portalId } = setup({ seed: 7 });
      emu.webhooks.setBehaviour({ shuffle: true });
      for (let i = 0; i < 30; i++) emu.ui.createContact(portalId, { email: `sh${i}@wh.test` });
      await emu.webhooks.settle();
      const ids = rx.batches().flat().map((e) => e.objectId as number);
      await emu.close();
      return ids;
    };
    const a = await order();
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
    expect([...a].sort((x, y) => x - y)).toHaveLength(30);
    expect(await order()).toEqual(a);
  });

  it('holds events while paused and sends them on resume', async () => {
    const { emu, rx, portalId } = setup();
    emu.webhooks.setBehaviour({ paused: true });
    emu.ui.createContact(portalId, { email: 'held@wh.test' });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(0);
    emu.webhooks.setBehaviour({ paused: false });
    await emu.webhooks.settle();
    expect(rx.received).toHaveLength(1);
  });
});
