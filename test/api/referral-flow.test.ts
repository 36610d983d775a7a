import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  const res = await t.api('POST', '/api/v1/campaigns', {
    name: 'Friends of Acme',
    reward_rules: [
      { id: 'bounty', name: '$50 per friend', recipient: 'referrer', amountCents: 5000, currency: 'USD' },
      { id: 'welcome', name: '$20 welcome credit', recipient: 'lead', amountCents: 2000, currency: 'USD' },
      { id: 'three', name: '$100 bonus at three friends', recipient: 'referrer', trigger: 'milestone', threshold: 3, amountCents: 10000, currency: 'USD' },
    ],
  });
  expect(res.status).toBe(201);
  campaignId = res.body.id;
});
afterAll(() => t?.stop());

const enrol = (email: string, extra: object = {}) => t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email, ...extra });
const lead = (email: string, code: string) => t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email, referral_code: code });

describe('a referral program run through the REST API', () => {
  it('enrols a referrer with a code and a link under PUBLIC_URL/r/', async () => {
    const res = await enrol('Ann@Example.com', { first_name: 'Ann' });
    expect(res.status).toBe(201);
    expect(res.body.email).toBe('ann@example.com');
    expect(res.body.code).toMatch(/^[a-z0-9]{10}$/);
    expect(res.body.link).toBe(`http://refcard.test/r/${res.body.code}`);
    expect(res.body.stats).toMatchObject({ referrals: 0, qualified: 0 });
  });

  it('answers the same person when a referrer is enrolled twice, whatever the case of the email', async () => {
    const first = await enrol('bob@example.com');
    const again = await enrol(' BOB@example.com ', { first_name: 'Bob' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.code).toBe(first.body.code);
    expect(again.body.first_name).toBe('Bob');
  });

  it('creates a pending lead from a referral code and counts it for the referrer', async () => {
    const ref = await enrol('carol@example.com');
    const res = await lead('dave@example.com', ref.body.code);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ lead_status: 'pending', referred_by_id: ref.body.id });
    const after = await t.api('GET', `/api/v1/participants/${ref.body.code}`);
    expect(after.body.stats).toMatchObject({ referrals: 1, pending: 1, qualified: 0 });
  });

  it('keeps the credit with the first referrer when someone else refers the same person', async () => {
    const a = await enrol('erin@example.com');
    const b = await enrol('frank@example.com');
    expect((await lead('gina@example.com', a.body.code)).status).toBe(201);
    const second = await lead('gina@example.com', b.body.code);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'already_referred', field: 'email' });
  });

  it('refuses self-referral and referral loops with a clear reason', async () => {
    const h = await enrol('hank@example.com');
    const self = await lead('HANK@example.com', h.body.code);
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('self_referral');
    const i = await lead('ivy@example.com', h.body.code);
    const loop = await lead('hank@example.com', i.body.code);
    expect(loop.status).toBe(409);
    expect(['referral_loop', 'self_referral']).toContain(loop.body.code);
  });

  it('qualifies a lead once, issues each reward once, and unqualifying voids the unpaid ones', async () => {
    const ref = await enrol('jill@example.com');
    const l = await lead('kim@example.com', ref.body.code);
    const q1 = await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, email: 'kim@example.com', reason: 'signed the contract' });
    expect(q1.status).toBe(200);
    expect(q1.body.changed).toBe(true);
    expect(q1.body.rewards_issued.map((r: any) => r.rule_id).sort()).toEqual(['bounty', 'welcome']);
    const q2 = await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, id: l.body.id });
    expect(q2.body).toMatchObject({ changed: false, why_unchanged: 'already_qualified', rewards_issued: [] });
    const un = await t.api('POST', '/api/v1/leads/unqualify', { campaign_id: campaignId, referral_code: l.body.code, reason: 'refunded' });
    expect(un.body.changed).toBe(true);
    expect(un.body.rewards_voided).toHaveLength(2);
    expect(un.body.lead).toMatchObject({ lead_status: 'unqualified', status_reason: 'refunded', status_source: 'api' });
    const re = await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, id: l.body.id });
    // Re-qualifying reinstates the same two rewards: never a third or fourth.
    expect(re.body.rewards_issued.map((r: any) => r.id).sort()).toEqual(q1.body.rewards_issued.map((r: any) => r.id).sort());
    const stats = await t.api('GET', `/api/v1/campaigns/${campaignId}/stats`);
    expect(stats.body.qualified).toBeGreaterThanOrEqual(1);
  });

  it('issues a milestone reward when the third lead qualifies, and only once', async () => {
    const ref = await enrol('milo@example.com');
    for (const n of [1, 2, 3, 4]) await lead(`friend${n}@milo.example`, ref.body.code);
    const issued: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const q = await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, email: `friend${n}@milo.example` });
      issued.push(...q.body.rewards_issued.filter((r: any) => r.rule_id === 'three').map((r: any) => r.id));
    }
    expect(issued).toHaveLength(1);
  });

  it('lists participants newest first with a cursor that walks every page once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const res: any = await t.api('GET', `/api/v1/participants?campaign_id=${campaignId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      for (const p of res.body.data) {
        expect(seen.has(p.id)).toBe(false);
        seen.add(p.id);
      }
      cursor = res.body.next_cursor;
    } while (cursor);
    const all = await t.api('GET', `/api/v1/campaigns/${campaignId}/stats`);
    expect(seen.size).toBe(all.body.participants);
  });

  it('erases a person: personal data gone, the anonymised record and their referrer\'s counts kept', async () => {
    const ref = await enrol('lena@example.com');
    const l = await lead('mona@example.com', ref.body.code);
    const del = await t.api('DELETE', `/api/v1/participants/${l.body.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ email: null, first_name: null, erased: true });
    const refAfter = await t.api('GET', `/api/v1/participants/${ref.body.id}`);
    expect(refAfter.body.stats.referrals).toBe(1);
    const audit = await t.database.sql`select before, after from audit_events where participant_id = ${l.body.id}`;
    expect(JSON.stringify(audit)).not.toContain('mona@example.com');
  });
});
