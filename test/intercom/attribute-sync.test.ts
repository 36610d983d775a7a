import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { crmLinks, crmPushQueue } from '../../server/db/schema.ts';
import { intercomProvider } from '../../server/intercom/module.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from './harness.ts';
import { signedInCookies } from './session.ts';

// Refcard's figures as Intercom data attributes: every participant change queues one row, and a
// push writes the latest values, creating the contact per campaign setting, never a duplicate.

const W = 'pushws01';
let h: Harness;
const campaigns: Record<'lead' | 'user' | 'nothing', string> = { lead: '', user: '', nothing: '' };
let connectionId: string;

beforeAll(async () => {
  h = await startHarness({ workers: false });
  h.emu.createWorkspace({ idCode: W, name: 'Push Co' });
  h.emu.seedWorkspace(W, { contacts: [{ email: 'known@push.example', name: 'Known Person', role: 'user' }, { email: 'known-lead@push.example', role: 'lead' }] });
  for (const setting of ['lead', 'user', 'nothing'] as const) {
    campaigns[setting] = (await h.t.api('POST', '/api/v1/campaigns', { name: `New people → ${setting}`, settings: { intercomNewParticipants: setting } })).body.id;
  }
  expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
  connectionId = (await connectionOf(h, W)).id;
});
afterAll(() => h?.stop());

const push = async () => intercomProvider.push(h.t.ctx, await connectionOf(h, W));
const enrol = (setting: keyof typeof campaigns, email: string, extra: object = {}) => h.t.api('POST', '/api/v1/referrers', { campaign_id: campaigns[setting], email, ...extra });
const inIntercom = (email: string) => h.emu.findContactsByEmail(W, email);
const queued = () => h.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, connectionId));

describe('Refcard’s attributes in Intercom', () => {
  it('creates a new referrer as an Intercom lead, with their referral attributes, when the campaign says so', async () => {
    const p = (await enrol('lead', 'lena@push.example', { first_name: 'Lena', last_name: 'Lead' })).body;
    await push();
    const [c] = inIntercom('lena@push.example');
    expect(c).toMatchObject({ role: 'lead', name: 'Lena Lead', custom_attributes: { referral_link: p.link, referral_code: p.code, referrals_count: 0, referral_status: 'referrer' } });
    const [link] = await h.t.ctx.db.select().from(crmLinks).where(and(eq(crmLinks.participantId, p.id), eq(crmLinks.connectionId, connectionId)));
    expect(link!.externalId).toBe(c!.id);
    expect(await queued()).toEqual([]);
  });

  it('creates a user when the campaign says "user", and creates nothing when it says "nothing"', async () => {
    await enrol('user', 'uma@push.example');
    await enrol('nothing', 'nobody@push.example');
    await push();
    expect(inIntercom('uma@push.example')).toEqual([expect.objectContaining({ role: 'user' })]);
    expect(inIntercom('nobody@push.example')).toEqual([]);
    expect(await queued()).toEqual([]);
  });

  it('updates the contact that already has the email instead of creating a second one, whatever the setting', async () => {
    const p = (await enrol('nothing', 'KNOWN@push.example')).body;
    await enrol('lead', 'known-lead@push.example');
    await push();
    expect(inIntercom('known@push.example')).toEqual([expect.objectContaining({ custom_attributes: expect.objectContaining({ referral_code: p.code }) })]);
    expect(inIntercom('known-lead@push.example')).toHaveLength(1);
  });

  it('adopts the contact named in Intercom’s 409 when search has not caught up with a new contact yet', async () => {
    h.emu.setSearchLag(60_000);
    try {
      const existing = h.emu.ui.createContact(W, { email: 'fresh@push.example', name: 'Just Created', role: 'user' });
      const p = (await enrol('user', 'fresh@push.example')).body;
      h.emu.requestLog.clear();
      await push();
      expect(h.emu.requestLog.count({ method: 'POST', path: '/contacts', status: 409 })).toBe(1);
      expect(inIntercom('fresh@push.example')).toEqual([expect.objectContaining({ id: existing.id, custom_attributes: expect.objectContaining({ referral_code: p.code }) })]);
      const [link] = await h.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.participantId, p.id));
      expect(link!.externalId).toBe(existing.id);
    } finally {
      h.emu.setSearchLag(0);
    }
  });

  it('writes ten quick changes to one person as a single update with the latest figures', async () => {
    const ref = (await enrol('lead', 'busy@push.example')).body;
    await push();
    const contactId = inIntercom('busy@push.example')[0]!.id;
    for (let i = 0; i < 10; i++) await h.t.api('POST', '/api/v1/leads', { campaign_id: campaigns.lead, email: `friend${i}@busy.example`, referral_code: ref.code });
    expect((await queued()).find((r) => r.participantId === ref.id)?.version).toBeGreaterThanOrEqual(10);
    h.emu.requestLog.clear();
    await push();
    expect(h.emu.requestLog.count({ method: 'PUT', path: `/contacts/${contactId}` })).toBe(1);
    expect(inIntercom('busy@push.example')[0]!.custom_attributes).toMatchObject({ referrals_count: 10 });
    expect(inIntercom('friend9@busy.example')[0]!.custom_attributes).toMatchObject({ referred_by: 'busy@push.example', referral_status: 'pending' });
  });

  it('pushes again a change that arrived while the previous values were on their way', async () => {
    const ref = (await enrol('lead', 'racer@push.example')).body;
    await push();
    h.emu.faults.set({ latencyMs: 300, match: { method: 'PUT' } });
    try {
      await h.t.api('POST', '/api/v1/leads', { campaign_id: campaigns.lead, email: 'first@race.example', referral_code: ref.code });
      const inFlight = push();
      await new Promise((r) => setTimeout(r, 100));
      await h.t.api('POST', '/api/v1/leads', { campaign_id: campaigns.lead, email: 'second@race.example', referral_code: ref.code });
      await inFlight;
    } finally {
      h.emu.faults.clear();
    }
    // the racing change kept its row, so the figures are not left at 1
    expect((await queued()).some((r) => r.participantId === ref.id)).toBe(true);
    await push();
    expect(inIntercom('racer@push.example')[0]!.custom_attributes).toMatchObject({ referrals_count: 2 });
    expect(await queued()).toEqual([]);
  });

  it('sends a push again at the minute tick when its job was lost, so a queued change is never stranded', async () => {
    const p = (await enrol('lead', 'stranded@push.example')).body;
    await h.t.ctx.db.update(crmPushQueue).set({ dirtyAt: new Date(Date.now() - 10 * 60_000) }).where(eq(crmPushQueue.participantId, p.id));
    await h.t.ctx.db.execute(sql`delete from pgboss.job where name = 'crm.push'`);
    await intercomProvider.tick(h.t.ctx);
    const jobs = await h.t.ctx.db.execute<{ data: { connectionId: string } }>(sql`select data from pgboss.job where name = 'crm.push'`);
    expect(jobs.map((j) => j.data.connectionId)).toContain(connectionId);
    await push();
    expect(inIntercom('stranded@push.example')).toHaveLength(1);
  });

  it('keeps a refused update visible with Intercom’s reason instead of retrying it forever', async () => {
    const campaign = (
      await h.t.api('POST', '/api/v1/campaigns', {
        name: 'Bad mapping',
        field_mapping: { hubspot: { outbound: [], inbound: [] }, intercom: { outbound: [{ target: 'no_such_attribute', source: { kind: 'field', field: 'referral_code' } }], inbound: [] } },
      })
    ).body.id;
    const p = (await h.t.api('POST', '/api/v1/referrers', { campaign_id: campaign, email: 'known@push.example' })).body;
    for (let i = 0; i < 4; i++) await push();
    const [row] = (await queued()).filter((r) => r.participantId === p.id);
    expect(row).toMatchObject({ attempts: 3, lastError: expect.stringContaining('no_such_attribute') });
  });
});
