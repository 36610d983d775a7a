import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app.ts';
import { apiKeys, campaigns, connections } from '../../server/db/schema.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { systemActor } from '../../server/program/actor.ts';
import { signIn, type Admin } from './support.ts';

// Every form of the console is refused without this session's CSRF token, with another token,
// and from another site, and nothing changes when it is.

let t: TestApp;
let admin: Admin;
let campaignId: string;
let connectionId: string;

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  campaignId = (await t.ctx.db.transaction((tx) => createCampaign(tx, t.account.id, { name: 'Spring' }, systemActor()))).id;
  const [conn] = await t.ctx.db.insert(connections).values({ accountId: t.account.id, provider: 'hubspot', externalId: '777', name: 'Portal' }).returning();
  connectionId = conn!.id;
  admin = await signIn(t, t.account.id);
});

afterAll(async () => {
  await t?.stop();
});

const forms = () =>
  [
    ['/admin/campaigns', { name: 'Injected' }],
    [`/admin/campaigns/${campaignId}`, { name: 'Renamed by someone else' }],
    [`/admin/campaigns/${campaignId}/rules`, { kind: 'intercom_tag', tag: 'x' }],
    [`/admin/campaigns/${campaignId}/mapping`, { provider: 'hubspot' }],
    [`/admin/campaigns/${campaignId}/participants/bulk`, { action: 'qualify', ids: [] as string[] }],
    ['/admin/syncs', { campaign: campaignId, connection: connectionId, source: 'all', mode: 'once' }],
    [`/admin/integrations/${connectionId}/disconnect`, {}],
    ['/admin/api-keys', { name: 'Injected key' }],
    ['/admin/webhooks', { url: 'https://evil.example/hook' }],
  ] as const;

async function unchanged() {
  const [c] = await t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  expect(c!.name).toBe('Spring');
  expect(await t.ctx.db.select().from(campaigns).where(eq(campaigns.name, 'Injected'))).toEqual([]);
  expect(await t.ctx.db.select().from(apiKeys).where(eq(apiKeys.name, 'Injected key'))).toEqual([]);
  const [conn] = await t.ctx.db.select().from(connections).where(eq(connections.id, connectionId));
  expect(conn!.status).toBe('connected');
}

describe('CSRF', () => {
  it('refuses every form without the token', async () => {
    for (const [path, fields] of forms()) {
      const res = await admin.post(path, fields as Record<string, string>, { csrf: null });
      expect(res.status, path).toBe(403);
      expect(res.html).toContain('did not come from the console');
    }
    await unchanged();
  });

  it('refuses every form with a wrong token, including another session’s', async () => {
    const other = await signIn(t, t.account.id);
    expect(other.csrf).not.toBe(admin.csrf);
    for (const [path, fields] of forms()) {
      expect((await admin.post(path, fields as Record<string, string>, { csrf: 'x'.repeat(32) })).status, path).toBe(403);
      expect((await admin.post(path, fields as Record<string, string>, { csrf: other.csrf })).status, path).toBe(403);
      expect((await admin.post(path, fields as Record<string, string>, { csrf: admin.csrf.slice(0, -1) })).status, path).toBe(403);
    }
    await unchanged();
  });

  it('refuses every form from another origin even with the right token', async () => {
    for (const [path, fields] of forms()) {
      const foreignOrigin = await admin.post(path, fields as Record<string, string>, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      expect(foreignOrigin.status, path).toBe(403);
      expect(foreignOrigin.html).toContain('came from another site');
      const nullOrigin = await admin.post(path, fields as Record<string, string>, { headers: { origin: 'null', 'sec-fetch-site': 'cross-site' } });
      expect(nullOrigin.status, path).toBe(403);
      // A sibling subdomain is same-site but not same-origin: refused too.
      const sibling = await admin.post(path, fields as Record<string, string>, { headers: { origin: 'http://evil.refcard.test', 'sec-fetch-site': 'same-site' } });
      expect(sibling.status, path).toBe(403);
    }
    await unchanged();
  });

  it('accepts the form with the session’s token from the console itself', async () => {
    const res = await admin.post('/admin/api-keys', { name: 'Billing system' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('rk_live_');
    // Chromium under Referrer-Policy: no-referrer sends Origin: null on a same-origin form; its
    // Fetch Metadata says same-origin, and that decides.
    const chromium = await admin.post('/admin/api-keys', { name: 'Chromium key' }, { headers: { origin: 'null', 'sec-fetch-site': 'same-origin' } });
    expect(chromium.status).toBe(200);
    // Origin: null with no Fetch Metadata to vouch for it (a sandboxed frame, a data: URL): refused.
    expect((await admin.post('/admin/api-keys', { name: 'Null key' }, { headers: { origin: 'null', 'sec-fetch-site': '' } })).status).toBe(403);
    // A browser that sends no Origin or Fetch Metadata at all: the token alone decides.
    const bare = await admin.post('/admin/api-keys', { name: 'Old browser key' }, { headers: { origin: '', 'sec-fetch-site': '' } });
    expect(bare.status).toBe(200);
  });

  it('a form over the size limit is refused before it is read', async () => {
    const res = await admin.post('/admin/api-keys', { name: 'big', padding: 'x'.repeat(600 * 1024) });
    expect(res.status).toBe(413);
    expect(await t.ctx.db.select().from(apiKeys).where(eq(apiKeys.name, 'big'))).toEqual([]);
  });

  it('a JSON body is not a form: refused', async () => {
    const res = await t.app.request('/admin/api-keys', {
      method: 'POST',
      body: JSON.stringify({ _csrf: admin.csrf, name: 'json' }),
      headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: 'http://refcard.test' },
    });
    expect(res.status).toBe(403);
  });
});
