import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createAccount, createApiKey } from '../../server/program/accounts.ts';

// Idempotency-Key on POST: a retried request gets the first answer and changes nothing.

let t: TestApp;
let campaignId: string;
let otherAuth: { authorization: string };

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  const c = await t.api('POST', '/api/v1/campaigns', {
    name: 'Friends of Acme',
    reward_rules: [{ id: 'bounty', name: '$50 per friend', recipient: 'referrer', amountCents: 5000, currency: 'USD' }],
  });
  campaignId = c.body.id;
  const other = await createAccount(t.ctx.db, 'Other Co');
  otherAuth = { authorization: `Bearer ${(await createApiKey(t.ctx.db, other.id, 'k')).key}` };
});
afterAll(() => t?.stop());

const key = (k: string) => ({ 'idempotency-key': k });

async function counts() {
  const [row] = await t.database.sql`
    select (select count(*)::int from campaigns) as campaigns,
           (select count(*)::int from participants) as participants,
           (select count(*)::int from rewards) as rewards,
           (select count(*)::int from audit_events) as audit_events,
           (select count(*)::int from outbound_events) as outbound_events,
           (select count(*)::int from webhook_endpoints) as webhook_endpoints`;
  return row!;
}

describe('a repeat with the same Idempotency-Key and body', () => {
  it('answers a retried campaign creation with the first answer and creates no second campaign', async () => {
    const body = { name: 'Spring push', landing_url: 'https://acme.example/join?utm=crm' };
    const first = await t.api('POST', '/api/v1/campaigns', body, key('create-spring'));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const before = await counts();
    const again = await t.api('POST', '/api/v1/campaigns', body, key('create-spring'));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
  });

  it('replays the first answer even after the thing it created has changed since', async () => {
    const first = await t.api('POST', '/api/v1/campaigns', { name: 'Original' }, key('then-renamed'));
    await t.api('PATCH', `/api/v1/campaigns/${first.body.id}`, { name: 'Renamed' });
    const again = await t.api('POST', '/api/v1/campaigns', { name: 'Original' }, key('then-renamed'));
    expect(again.body).toEqual(first.body);
    expect(again.body.name).toBe('Original');
  });

  it('answers a retried referrer enrolment with the first 201, not a 200 "already enrolled"', async () => {
    const body = { campaign_id: campaignId, email: 'ann@example.com', first_name: 'Ann' };
    const first = await t.api('POST', '/api/v1/referrers', body, key('enrol-ann'));
    expect(first.status).toBe(201);
    const before = await counts();
    const again = await t.api('POST', '/api/v1/referrers', body, key('enrol-ann'));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
  });

  it('creates a lead once and emits lead.created once when the request is retried', async () => {
    const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'bea@example.com' });
    const body = { campaign_id: campaignId, email: 'friend-of-bea@example.com', referral_code: ref.body.code };
    const first = await t.api('POST', '/api/v1/leads', body, key('lead-1'));
    expect(first.status).toBe(201);
    const before = await counts();
    for (let i = 0; i < 3; i++) {
      const again = await t.api('POST', '/api/v1/leads', body, key('lead-1'));
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(await counts()).toEqual(before);
    const events = await t.database.sql`select count(*)::int as n from outbound_events where type = 'lead.created' and payload->'data'->'lead'->>'id' = ${first.body.id}`;
    expect(events[0]!.n).toBe(1);
  });

  it('replays a qualification with the rewards it issued, instead of answering "already qualified"', async () => {
    const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'cy@example.com' });
    const lead = await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'friend-of-cy@example.com', referral_code: ref.body.code });
    const body = { campaign_id: campaignId, id: lead.body.id, reason: 'paid' };
    const first = await t.api('POST', '/api/v1/leads/qualify', body, key('qualify-cy'));
    expect(first.body).toMatchObject({ changed: true });
    expect(first.body.rewards_issued).toHaveLength(1);
    const before = await counts();
    const again = await t.api('POST', '/api/v1/leads/qualify', body, key('qualify-cy'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
  });

  it('answers a repeated malformed request the same way without storing it', async () => {
    const first = await t.api('POST', '/api/v1/campaigns', { name: 42 }, key('bad-name'));
    expect(first.status).toBe(400);
    const again = await t.api('POST', '/api/v1/campaigns', { name: 42 }, key('bad-name'));
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toEqual(first.body);
  });

  it('replays a refusal the program made (a domain answer), marked as replayed', async () => {
    const campaign = (await t.api('POST', '/api/v1/campaigns', { name: 'Replay refusals' })).body;
    const ref = (await t.api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'self@replay.example' })).body;
    const body = { campaign_id: campaign.id, email: 'self@replay.example', referral_code: ref.code };
    const first = await t.api('POST', '/api/v1/leads', body, key('self-ref'));
    expect(first.status).toBe(409);
    const again = await t.api('POST', '/api/v1/leads', body, key('self-ref'));
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('the same Idempotency-Key with a different request', () => {
  it('is refused with 422 naming the header, and nothing is created', async () => {
    const first = await t.api('POST', '/api/v1/campaigns', { name: 'Summer' }, key('summer'));
    expect(first.status).toBe(201);
    const before = await counts();
    const other = await t.api('POST', '/api/v1/campaigns', { name: 'Winter' }, key('summer'));
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key', detail: expect.stringMatching(/different request/) });
    expect(await counts()).toEqual(before);
  });

  it('is refused when only the route differs', async () => {
    const body = { campaign_id: campaignId, email: 'dee@example.com' };
    expect((await t.api('POST', '/api/v1/referrers', body, key('route-bound'))).status).toBe(201);
    const before = await counts();
    const res = await t.api('POST', '/api/v1/leads', { ...body }, key('route-bound'));
    expect(res.status).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('is refused even when the bodies mean the same JSON but differ byte for byte (the key binds the exact request)', async () => {
    expect((await t.api('POST', '/api/v1/campaigns', '{"name":"Bytes"}', key('bytes'))).status).toBe(201);
    expect((await t.api('POST', '/api/v1/campaigns', '{ "name": "Bytes" }', key('bytes'))).status).toBe(422);
  });

  it('can be reused to send a corrected request after a refusal for the request\'s shape', async () => {
    expect((await t.api('POST', '/api/v1/campaigns', { name: '' }, key('fix-me'))).status).toBe(400);
    const fixed = await t.api('POST', '/api/v1/campaigns', { name: 'Fixed' }, key('fix-me'));
    expect(fixed.status).toBe(201);
    const replay = await t.api('POST', '/api/v1/campaigns', { name: 'Fixed' }, key('fix-me'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(fixed.body.id);
  });
});

describe('keys', () => {
  it("belong to one account: another account's identical request with the same key runs for that account", async () => {
    const body = { name: 'Shared key name' };
    const mine = await t.api('POST', '/api/v1/campaigns', body, key('same-key-everywhere'));
    const theirs = await t.api('POST', '/api/v1/campaigns', body, { ...key('same-key-everywhere'), ...otherAuth });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    const theirList = await t.api('GET', '/api/v1/campaigns', undefined, otherAuth);
    expect(theirList.body.data.map((c: { id: string }) => c.id)).toEqual([theirs.body.id]);
    // and each account's replay is its own
    const myReplay = await t.api('POST', '/api/v1/campaigns', body, key('same-key-everywhere'));
    const theirReplay = await t.api('POST', '/api/v1/campaigns', body, { ...key('same-key-everywhere'), ...otherAuth });
    expect(myReplay.body.id).toBe(mine.body.id);
    expect(theirReplay.body.id).toBe(theirs.body.id);
  });

  it("cannot be used to read another account's answer", async () => {
    const mine = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'secret@example.com' }, key('peek'));
    expect(mine.status).toBe(201);
    const theirs = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'secret@example.com' }, { ...key('peek'), ...otherAuth });
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body)).not.toContain('secret@example.com');
  });

  it('must be 1-255 characters', async () => {
    const before = await counts();
    for (const k of ['', 'k'.repeat(256)]) {
      const res = await t.api('POST', '/api/v1/campaigns', { name: 'Key length' }, key(k));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'invalid_idempotency_key', field: 'Idempotency-Key' });
    }
    expect(await counts()).toEqual(before);
    expect((await t.api('POST', '/api/v1/campaigns', { name: 'Key length' }, key('k'.repeat(255)))).status).toBe(201);
  });

  it('only apply to POST: a PATCH with a key runs every time', async () => {
    const c = await t.api('POST', '/api/v1/campaigns', { name: 'Patch me' });
    const a = await t.api('PATCH', `/api/v1/campaigns/${c.body.id}`, { name: 'One' }, key('patch-key'));
    const b = await t.api('PATCH', `/api/v1/campaigns/${c.body.id}`, { name: 'One' }, key('patch-key'));
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('let exactly one of two simultaneous identical requests run; the other is replayed or told to retry', async () => {
    const body = { name: 'Race' };
    const before = await counts();
    const results = await Promise.all([0, 1, 2].map(() => t.api('POST', '/api/v1/campaigns', body, key('race'))));
    const after = await counts();
    expect(after.campaigns - before.campaigns).toBe(1);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ code: 'idempotency_key_in_use', field: 'Idempotency-Key' });
      expect(r.headers.get('retry-after')).toBe('1');
    }
  });
});

describe('without an Idempotency-Key', () => {
  it('POST /referrers is still idempotent per campaign and email: one person, one code, one event', async () => {
    const first = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'eve@example.com' });
    expect(first.status).toBe(201);
    const before = await counts();
    for (const email of ['eve@example.com', 'EVE@Example.com', '  eve@example.com ']) {
      const again = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(again.body).toMatchObject({ id: first.body.id, code: first.body.code, link: first.body.link });
    }
    expect(await counts()).toEqual(before);
  });

  it('a repeat fills in names that were empty but never overwrites them', async () => {
    await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'fay@example.com' });
    const named = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'fay@example.com', first_name: 'Fay' });
    expect(named.body.first_name).toBe('Fay');
    const renamed = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'fay@example.com', first_name: 'Someone else' });
    expect(renamed.body.first_name).toBe('Fay');
  });

  it('the same email in another campaign is another person', async () => {
    const other = await t.api('POST', '/api/v1/campaigns', { name: 'Second campaign' });
    const a = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'gus@example.com' });
    const b = await t.api('POST', '/api/v1/referrers', { campaign_id: other.body.id, email: 'gus@example.com' });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.code).not.toBe(a.body.code);
  });

  it('POST /leads/qualify repeated changes nothing the second time', async () => {
    const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'hal@example.com' });
    const lead = await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'friend-of-hal@example.com', referral_code: ref.body.code });
    await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, id: lead.body.id });
    const before = await counts();
    const again = await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, id: lead.body.id });
    expect(again.body).toMatchObject({ changed: false, why_unchanged: 'already_qualified', rewards_issued: [] });
    expect(await counts()).toEqual(before);
  });
});
