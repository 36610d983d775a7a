import { Signature } from '@hubspot/api-client';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CardFetchError, createHubspotEmulator, decodeUriForSignature, signV2, verifyV3, type HubspotEmulator } from './index.ts';
import { receiver, sleep } from './test-support/receiver.ts';
import { REDIRECT } from './test-support/setup.ts';

// The hubspot.fetch driver: a CRM card calling our backend through HubSpot's proxy.

const ORIGIN = 'https://app.refcard.test';
let emu: HubspotEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function setup(respond?: Parameters<typeof receiver>[0], app: Record<string, unknown> = {}) {
  emu = createHubspotEmulator();
  const rx = receiver(respond ?? ((r) => Response.json({ ok: true, url: r.url })));
  emu.setOutboundFetch(rx.fetch);
  const registered = emu.registerApp({ redirectUrls: [REDIRECT], permittedFetchOrigins: [ORIGIN], ...app });
  const portal = emu.createPortal();
  emu.installApp(registered.appId, portal.portalId);
  const base = { appId: registered.appId, portalId: portal.portalId, userId: portal.users[0].id, userEmail: 'ann@acme.test' };
  return { emu, rx, app: registered, base };
}

describe('hubspot.fetch simulation', () => {
  it('appends the identity parameters and signs the final URL with v3 and legacy v2', async () => {
    const { emu, rx, app, base } = setup();
    const res = await emu.card.fetch({ ...base, url: `${ORIGIN}/hubspot/card?contactId=101`, associatedObjectId: 101 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true });
    const got = new URL(rx.received[0].url);
    expect([...got.searchParams.keys()]).toEqual(['contactId', 'userId', 'userEmail', 'associatedObjectId', 'associatedObjectType', 'portalId', 'appId']);
    expect(Object.fromEntries(got.searchParams)).toMatchObject({ userEmail: 'ann@acme.test', associatedObjectType: 'CONTACT', portalId: String(base.portalId), appId: String(app.appId) });
    const h = rx.received[0].headers;
    expect(verifyV3(app.clientSecret, 'GET', rx.received[0].url, '', h['x-hubspot-signature-v3'], h['x-hubspot-request-timestamp'])).toBe(true);
    expect(Signature.isValid({ signatureVersion: 'v3', signature: h['x-hubspot-signature-v3'], clientSecret: app.clientSecret, requestBody: '', url: decodeUriForSignature(res.url), method: 'GET', timestamp: Number(h['x-hubspot-request-timestamp']) })).toBe(true);
    expect(h['x-hubspot-signature-version']).toBe('v2');
    expect(h['x-hubspot-signature']).toBe(signV2(app.clientSecret, 'GET', res.url, ''));
  });

  it('sends a JSON body on POST and signs it', async () => {
    const { emu, rx, app, base } = setup();
    await emu.card.fetch({ ...base, method: 'POST', url: `${ORIGIN}/hubspot/card/actions`, body: { action: 'qualify', contactId: 7 } });
    const r = rx.received[0];
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({ action: 'qualify', contactId: 7 });
    expect(verifyV3(app.clientSecret, 'POST', r.url, r.body, r.headers['x-hubspot-signature-v3'], r.headers['x-hubspot-request-timestamp'])).toBe(true);
  });

  it('appends only the configured identity parameters, or none', async () => {
    const { emu, rx, base } = setup(undefined, { cardIdentityParams: ['portalId', 'userId'] });
    await emu.card.fetch({ ...base, url: `${ORIGIN}/hubspot/card` });
    await emu.card.fetch({ ...base, url: `${ORIGIN}/hubspot/card`, identityParams: [] });
    expect(new URL(rx.received[0].url).search).toBe(`?portalId=${base.portalId}&userId=${base.userId}`);
    expect(new URL(rx.received[1].url).search).toBe('');
  });

  it('refuses origins outside permittedFetchOrigins and portals without an install', async () => {
    const { emu, base } = setup();
    await expect(emu.card.fetch({ ...base, url: 'https://elsewhere.refcard.test/x' })).rejects.toMatchObject({ code: 'ORIGIN_NOT_PERMITTED' });
    const other = emu.createPortal();
    await expect(emu.card.fetch({ ...base, portalId: other.portalId, url: `${ORIGIN}/x` })).rejects.toMatchObject({ code: 'NOT_INSTALLED' });
  });

  it('enforces 1 MB each way', async () => {
    const { emu, base } = setup(() => new Response('x'.repeat(1024 * 1024 + 1)));
    await expect(emu.card.fetch({ ...base, method: 'POST', url: `${ORIGIN}/x`, body: { blob: 'y'.repeat(1024 * 1024) } })).rejects.toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    await expect(emu.card.fetch({ ...base, url: `${ORIGIN}/x` })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('times out after `timeout` ms and refuses timeouts over 120 s', async () => {
    const { emu, base } = setup(async () => {
      await sleep(300);
      return Response.json({});
    });
    const err = await emu.card.fetch({ ...base, url: `${ORIGIN}/slow`, timeout: 50 }).catch((e) => e);
    expect(err).toBeInstanceOf(CardFetchError);
    expect(err.code).toBe('TIMEOUT');
    await expect(emu.card.fetch({ ...base, url: `${ORIGIN}/x`, timeout: 120_001 })).rejects.toMatchObject({ code: 'INVALID_TIMEOUT' });
  });

  it('retries once on a 5xx and once on a connection error, with a fresh signature', async () => {
    const { emu, rx, base } = setup((_r, i) => new Response(null, { status: i === 0 ? 503 : 200 }));
    const res = await emu.card.fetch({ ...base, url: `${ORIGIN}/flaky` });
    expect([res.status, res.attempts, rx.received.length]).toEqual([200, 2, 2]);
    let calls = 0;
    emu.setOutboundFetch(async () => {
      if (calls++ === 0) throw new TypeError('fetch failed');
      return Response.json({ ok: 1 });
    });
    expect((await emu.card.fetch({ ...base, url: `${ORIGIN}/x` })).attempts).toBe(2);
    emu.setOutboundFetch(async () => new Response(null, { status: 502 }));
    const twice = await emu.card.fetch({ ...base, url: `${ORIGIN}/x` });
    expect([twice.status, twice.attempts]).toEqual([502, 2]);
  });

  it('answers the 21st concurrent request of an app in a portal with 429', async () => {
    const { emu, base } = setup(async () => {
      await sleep(80);
      return Response.json({});
    });
    const results = await Promise.all(Array.from({ length: 25 }, () => emu.card.fetch({ ...base, url: `${ORIGIN}/x` })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('follows a local.json-style proxy to a server on 127.0.0.1 while signing the public URL', async () => {
    const rx = receiver((r) => Response.json({ path: new URL(r.url).pathname }));
    const server = serve({ fetch: rx.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    try {
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      emu = createHubspotEmulator();
      const app = emu.registerApp({ redirectUrls: [REDIRECT], permittedFetchOrigins: [ORIGIN], fetchProxy: { [ORIGIN]: local } });
      const portal = emu.createPortal();
      emu.installApp(app.appId, portal.portalId);
      const res = await emu.card.fetch({ appId: app.appId, portalId: portal.portalId, userId: 1, userEmail: 'a@b.test', url: `${ORIGIN}/hubspot/card` });
      expect(res.json).toEqual({ path: '/hubspot/card' });
      const h = rx.received[0].headers;
      expect(verifyV3(app.clientSecret, 'GET', res.url, '', h['x-hubspot-signature-v3'], h['x-hubspot-request-timestamp'])).toBe(true);
      expect(res.url.startsWith(ORIGIN)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
