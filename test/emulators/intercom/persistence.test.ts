// Persistence (sandbox mode keeps its workspace and tokens across restarts) and the bulk
// generator that sync tests and benchmarks rely on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntercomClient } from 'intercom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { CLIENT_ID, harness } from './harness.ts';
import { createIntercomEmulator } from './index.ts';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });
const stateFile = () => join((dir = mkdtempSync(join(tmpdir(), 'intercom-emu-'))), 'state', 'intercom.json');

describe('persistence', () => {
  test('a saved workspace comes back after a restart with its data, tokens and id sequence', async () => {
    const file = stateFile();
    const h = harness({
      stateFile: file,
      fixture: {
        dataAttributes: [{ name: 'plan', data_type: 'string' }],
        contacts: [{ email: 'grace@example.test', tags: ['VIP'], custom_attributes: { plan: 'Pro' } }, { email: 'alan@example.test' }],
        segments: [{ name: 'VIPs', tag: 'VIP' }],
        conversations: [{ contacts: ['grace@example.test'] }],
      },
    });
    const created = await h.client.contacts.create({ email: 'new@example.test', custom_attributes: { plan: 'Starter' } });
    await h.emu.save();
    await h.emu.close();

    const again = createIntercomEmulator({ stateFile: file });
    const client = new IntercomClient({ token: h.token, baseUrl: again.url, fetch: again.fetch, maxRetries: 0 });
    expect((await client.admins.identify())?.app?.id_code).toBe(h.idCode);
    expect((await client.contacts.find({ contact_id: created.id })).custom_attributes).toEqual({ plan: 'Starter' });
    const members = await client.contacts.search({ query: { field: 'segment_id', operator: '=', value: h.seed.segments.VIPs } });
    expect(members.data.map((c) => c.email)).toEqual(['grace@example.test']);
    expect((await client.conversations.find({ conversation_id: h.seed.conversations[0] })).id).toBe(h.seed.conversations[0]);
    const listed: string[] = [];
    for await (const c of await client.contacts.list()) listed.push(c.email!);
    expect(listed).toEqual(['grace@example.test', 'alan@example.test', 'new@example.test']);
    const newer = await client.contacts.create({ email: 'after@example.test' });
    expect(newer.id).not.toBe(created.id);
    expect((await client.contacts.create({ email: 'new@example.test' }).catch((e: unknown) => (e as { statusCode: number }).statusCode))).toBe(409);
    expect(again.apps().map((a) => a.clientId)).toEqual([CLIENT_ID]);
    await again.close();
  });

  test('changes are written automatically and on close', async () => {
    const file = stateFile();
    const h = harness({ stateFile: file });
    await h.client.contacts.create({ email: 'auto@example.test' });
    await h.emu.close();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { workspaces: Array<{ contacts: Array<{ email: string }> }> };
    expect(saved.workspaces[0].contacts.map((c) => c.email)).toEqual(['auto@example.test']);
  });

  test('uninstalled tokens stay revoked after a restart', async () => {
    const file = stateFile();
    const h = harness({ stateFile: file });
    h.emu.uninstall(CLIENT_ID, h.idCode);
    await h.emu.close();
    const again = createIntercomEmulator({ stateFile: file });
    const res = await again.fetch(`${again.url}/me`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(res.status).toBe(401);
  });
});

describe('generator', () => {
  test('100,000 contacts are generated in about a second and a tag segment pages through completely', async () => {
    const h = harness();
    const t = Date.now();
    const r = h.emu.generateContacts(h.idCode, 100_000, { leadShare: 0.1, tags: { Customer: 0.3 }, seed: 7 });
    expect(r.count).toBe(100_000);
    expect(Date.now() - t).toBeLessThan(3_000);
    const seg = h.emu.ui.createSegment(h.idCode, { name: 'Customers', tag: 'Customer' });
    const expected = seg.count as number;
    expect(expected).toBeGreaterThan(25_000);
    expect(expected).toBeLessThan(29_000);
    const started = Date.now();
    let seen = 0;
    for await (const _ of await h.client.contacts.search({ query: { field: 'segment_id', operator: '=', value: seg.id as string }, pagination: { per_page: 150 } })) seen++;
    expect(seen).toBe(expected);
    expect(h.emu.requestLog.count({ path: '/contacts/search' })).toBe(Math.ceil(expected / 150));
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  test('the same seed generates the same contacts', () => {
    const a = harness();
    const b = harness();
    a.emu.generateContacts(a.idCode, 50, { seed: 3, tags: { X: 0.5 } });
    b.emu.generateContacts(b.idCode, 50, { seed: 3, tags: { X: 0.5 } });
    const emails = (x: typeof a) => [...x.emu.store.workspace(x.idCode).contacts.values()].map((c) => `${c.email}:${c.tags.length}`);
    expect(emails(a)).toEqual(emails(b));
  });

  test('generated attributes must be defined first', () => {
    const h = harness();
    expect(() => h.emu.generateContacts(h.idCode, 1, { attributes: { nope: 1 } })).toThrow(/create data attribute "nope" first/);
  });
});
