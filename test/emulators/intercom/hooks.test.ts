// The emulator as a server: listening on 127.0.0.1, driven entirely through /__emulator/* hooks
// the way sandbox mode and browser tests use it, with the SDK talking to it over HTTP.
import { IntercomClient } from 'intercom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { createIntercomEmulator, demoFixture, type IntercomEmulator } from './index.ts';
import { receiver } from './harness.ts';

let emu: IntercomEmulator | undefined;
let rx: Awaited<ReturnType<typeof receiver>> | undefined;
afterEach(async () => { await emu?.close(); await rx?.close(); emu = undefined; rx = undefined; });

async function hook<T = any>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__emulator${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

describe('listening', () => {
  test('listen() serves on 127.0.0.1 and close() frees the port', async () => {
    emu = createIntercomEmulator();
    const url = await emu.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.url).toBe(url);
    expect((await fetch(`${url}/__emulator/health`)).status).toBe(200);
    await emu.close();
    await expect(fetch(`${url}/__emulator/health`)).rejects.toThrow();
    emu = undefined;
  });
});

describe('driving it over HTTP', () => {
  test('a workspace is set up, installed, tagged as an admin would, and observed through hooks', async () => {
    emu = createIntercomEmulator();
    const base = await emu.listen();
    rx = await receiver();
    const ws = await hook(base, 'POST', '/workspaces', { idCode: 'demo0001', name: 'Demo' });
    const seed = await hook(base, 'POST', `/workspaces/${ws.idCode}/seed`, demoFixture());
    expect(Object.keys(seed.contacts)).toHaveLength(10);
    await hook(base, 'POST', '/apps', { clientId: 'c1', clientSecret: 's1', redirectUrls: [`${rx.url}/cb`], initializeUrl: `${rx.url}/init`, submitUrl: `${rx.url}/submit` });
    await hook(base, 'POST', '/apps/c1/webhook', { url: `${rx.url}/hooks`, topics: ['contact.user.tag.created'] });
    const { accessToken } = await hook(base, 'POST', '/install', { clientId: 'c1', idCode: ws.idCode });

    const client = new IntercomClient({ token: accessToken, baseUrl: base, maxRetries: 0 });
    const grace = seed.contacts['grace@hopper.example.test'];
    expect((await client.contacts.find({ contact_id: grace })).name).toBe('Grace Hopper');

    await hook(base, 'POST', `/workspaces/${ws.idCode}/contacts/${grace}/tags`, { tag: 'Referrer' });
    await hook(base, 'POST', '/webhooks/settle');
    const deliveries = await hook<Array<{ kind: string; topic: string; status: number }>>(base, 'GET', '/webhooks/deliveries');
    expect(deliveries.map((d) => `${d.kind}:${d.topic ?? ''}:${d.status}`)).toEqual(['head::200', 'ping:ping:200', 'event:contact.user.tag.created:200']);

    await hook(base, 'PUT', `/workspaces/${ws.idCode}/contacts/${grace}/attributes/plan`, { value: 'Pro' });
    expect((await client.contacts.find({ contact_id: grace })).custom_attributes).toMatchObject({ plan: 'Pro' });

    const requests = await hook<Array<{ path: string; workspace: string; version: string; status: number }>>(base, 'GET', '/requests?method=GET');
    expect(requests.map((r) => [r.path, r.workspace, r.version, r.status])).toEqual([
      [`/contacts/${grace}`, ws.idCode, '2.14', 200], [`/contacts/${grace}`, ws.idCode, '2.14', 200],
    ]);
    const state = await hook(base, 'GET', '/state');
    expect(state.workspaces[0]).toMatchObject({ idCode: 'demo0001', counts: { contacts: 10, segments: 4 } });
  });

  test('faults, search lag and rate limits are knobs over HTTP too', async () => {
    emu = createIntercomEmulator();
    const base = await emu.listen();
    await hook(base, 'POST', '/workspaces', { idCode: 'knob0001', name: 'Knobs' });
    await hook(base, 'POST', '/apps', { clientId: 'c1', clientSecret: 's1', redirectUrls: ['http://127.0.0.1:1/cb'] });
    const { accessToken } = await hook(base, 'POST', '/install', { clientId: 'c1', idCode: 'knob0001' });
    const client = new IntercomClient({ token: accessToken, baseUrl: base, maxRetries: 0 });

    await hook(base, 'POST', '/faults/next', { count: 1, kind: 503, match: { pathPattern: '^/me$' } });
    expect(await client.admins.identify().then(() => 200, (e: unknown) => (e as { statusCode: number }).statusCode)).toBe(503);
    expect((await client.admins.identify())?.type).toBe('admin');

    await hook(base, 'POST', '/search-lag', { ms: 3_600_000 });
    const c = await client.contacts.create({ email: 'lag@example.test' });
    expect((await client.contacts.search({ query: { field: 'id', operator: '=', value: c.id } })).data).toHaveLength(0);

    await hook(base, 'POST', '/rate-limits', { perAppPerMinute: 6 });
    await client.admins.identify();
    expect(await client.admins.identify().then(() => 200, (e: unknown) => (e as { statusCode: number }).statusCode)).toBe(429);
    await hook(base, 'DELETE', '/requests');
    expect(await hook(base, 'GET', '/requests')).toEqual([]);
  });

  test('the inbox can be played over HTTP and answers what the teammate would see', async () => {
    emu = createIntercomEmulator();
    const base = await emu.listen();
    rx = await receiver(() => Response.json({ canvas: { content: { components: [{ type: 'text', text: 'Hi' }] } } }));
    await hook(base, 'POST', '/workspaces', { idCode: 'inbx0001', name: 'Inbox' });
    const seed = await hook(base, 'POST', '/workspaces/inbx0001/seed', { contacts: [{ email: 'a@example.test' }], conversations: [{ contacts: ['a@example.test'] }] });
    await hook(base, 'POST', '/apps', { clientId: 'c1', clientSecret: 's1', redirectUrls: ['http://127.0.0.1:1/cb'], initializeUrl: `${rx.url}/init` });
    const result = await hook(base, 'POST', '/canvas/initialize', { clientId: 'c1', workspaceId: 'inbx0001', contactId: seed.contactIds[0] });
    expect(result).toMatchObject({ ok: true, shown: 'canvas', canvas: { content: { components: [{ type: 'text', text: 'Hi' }] } } });
  });

  test('emulator errors come back as readable 400s', async () => {
    emu = createIntercomEmulator();
    const base = await emu.listen();
    const res = await fetch(`${base}/__emulator/workspaces/nope/seed`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Intercom emulator: no workspace "nope"' });
  });
});
