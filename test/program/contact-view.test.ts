import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { buildContactView, buildLinkedContactView, iso } from '../../server/program/contact-view.ts';
import { performContactAction } from '../../server/program/contact-actions.ts';
import { saveConnection } from '../../server/platform/connections.ts';
import type { Actor } from '../../server/program/actor.ts';

let t: TestApp;
let campaignId: string;
let connectionId: string;
const rep: Actor = { type: 'user', id: '7', label: 'rep@acme.example', source: 'hubspot_card' };

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  campaignId = (await t.api('POST', '/api/v1/campaigns', { name: 'Partners', reward_rules: [{ id: 'r', name: '$40', recipient: 'referrer', amountCents: 4000, currency: 'USD' }] })).body.id;
  connectionId = (await saveConnection(t.ctx, t.ctx.db, { accountId: t.account.id, provider: 'hubspot', externalId: '4242', tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: new Date(Date.now() + 3600_000) } })).connection.id;
});
afterAll(() => t?.stop());

const view = (crmId: string, email: string | null, campaign?: string) =>
  buildContactView(t.ctx, { accountId: t.account.id, connectionId, contact: { crmId, email, name: 'Pat Doe' }, campaignId: campaign });

describe('the contact view behind the card and the canvas', () => {
  it('offers Enrol for a contact in no campaign, and enrolling gives them a link at once', async () => {
    const before = await view('101', 'pat@acme.example');
    expect(before.enrolment).toBeNull();
    expect(before.campaign?.id).toBe(campaignId);
    const after = await performContactAction(t.ctx, { accountId: t.account.id, connectionId, contact: { crmId: '101', email: 'pat@acme.example', name: 'Pat Doe' }, action: { action: 'enrol', campaignId }, actor: rep });
    expect(after.notice).toMatchObject({ type: 'success' });
    expect(after.enrolment?.referrer.link).toMatch(/^http:\/\/refcard\.test\/r\/[a-z0-9]{10}$/);
    expect(after.enrolment?.name).toBe('Pat Doe');
  });

  it('shows a referrer their leads and lets the rep qualify one, with the reward counted', async () => {
    const me = await view('101', 'pat@acme.example');
    await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'quinn@friends.example', referral_code: me.enrolment!.referrer.code, first_name: 'Quinn' });
    const withLead = await view('101', 'pat@acme.example');
    expect(withLead.enrolment?.referrer.leads).toEqual([expect.objectContaining({ email: 'quinn@friends.example', status: 'pending', name: 'Quinn' })]);
    const leadId = withLead.enrolment!.referrer.leads[0]!.participantId;
    const done = await performContactAction(t.ctx, { accountId: t.account.id, connectionId, contact: { crmId: '101', email: 'pat@acme.example', name: null }, action: { action: 'qualify', campaignId, participantId: leadId }, actor: rep });
    expect(done.notice?.message).toMatch(/qualified.*1 reward issued/);
    expect(done.enrolment?.referrer.stats).toMatchObject({ referrals: 1, qualified: 1, rewardsEarned: 1, rewardsLabel: '$40 (1 reward)' });
  });

  it('shows a referred lead who referred them and where their status came from', async () => {
    const lead = await view('202', 'QUINN@friends.example');
    expect(lead.enrolment?.lead).toMatchObject({ status: 'qualified', referredBy: { email: 'pat@acme.example', name: 'Pat Doe' }, statusSource: 'HubSpot card' });
  });

  it('finds the contact by its CRM link even when its email changed in the CRM', async () => {
    const v = await view('101', 'pat.new-address@acme.example');
    expect(v.enrolment?.name).toBe('Pat Doe');
  });

  it('turns a refusal into a notice on the card instead of an error', async () => {
    const v = await performContactAction(t.ctx, { accountId: t.account.id, connectionId, contact: { crmId: '303', email: null, name: null }, action: { action: 'enrol', campaignId }, actor: rep });
    expect(v.notice).toMatchObject({ type: 'danger', message: expect.stringMatching(/no email/) });
  });

  it('never shows another account\'s people: a participant id from elsewhere is not found', async () => {
    const v = await performContactAction(t.ctx, { accountId: t.account.id, connectionId, contact: { crmId: '101', email: 'pat@acme.example', name: null }, action: { action: 'qualify', campaignId, participantId: '00000000-0000-4000-8000-000000000000' }, actor: rep });
    expect(v.notice).toMatchObject({ type: 'danger', message: 'The lead was not found.' });
  });

  it('opens the campaign asked for, else one the contact is in, else the first active one', async () => {
    const paused = (await t.api('POST', '/api/v1/campaigns', { name: 'Old programme', status: 'paused' })).body.id as string;
    const later = (await t.api('POST', '/api/v1/campaigns', { name: 'Later programme' })).body.id as string;
    await t.api('POST', '/api/v1/referrers', { campaign_id: later, email: 'sam@acme.example', first_name: 'Sam' });
    expect((await view('404', 'sam@acme.example')).campaign?.id).toBe(later);
    expect((await view('404', 'sam@acme.example', paused)).campaign).toMatchObject({ id: paused, status: 'paused' });
    expect((await view('404', 'sam@acme.example', paused)).enrolment).toBeNull();
    expect((await view('405', 'nobody@acme.example')).campaign?.id).toBe(campaignId);
    expect((await view('405', 'nobody@acme.example', 'not-a-uuid')).campaign?.id).toBe(campaignId);
    expect((await view('405', 'nobody@acme.example')).campaigns.map((c) => c.name)).toEqual(['Partners', 'Old programme', 'Later programme']);
  });

  it('shows the ten newest leads, how many more there are, and the rewards earned', async () => {
    const eur = (await t.api('POST', '/api/v1/campaigns', { name: 'In euros', reward_rules: [{ id: 'eur', name: '€10', recipient: 'referrer', amountCents: 1000, currency: 'EUR' }] })).body.id as string;
    const ref = (await t.api('POST', '/api/v1/referrers', { campaign_id: eur, email: 'robin@acme.example' })).body;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await t.api('POST', '/api/v1/leads', { campaign_id: eur, email: `lead${i}@friends.example`, referral_code: ref.code })).body.id);
    for (const id of ids.slice(0, 3)) expect((await t.api('POST', '/api/v1/leads/qualify', { campaign_id: eur, id })).status).toBe(200);
    const v = await view('606', 'robin@acme.example', eur);
    expect(v.enrolment?.referrer.leads.map((l) => l.email)).toEqual(ids.slice(2).reverse().map((_, k) => `lead${11 - k}@friends.example`));
    expect(v.enrolment?.referrer.moreLeads).toBe(2);
    expect(v.enrolment?.referrer.stats).toEqual({ referrals: 12, qualified: 3, pending: 9, unqualified: 0, rewardsEarned: 3, rewardsLabel: '€30 (3 rewards)' });
    expect(v.enrolment?.referrer.leads[0]?.referredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('builds the view of a linked contact from the portal and CRM id alone, and says when the contact was never linked or the portal is unknown', async () => {
    const linked = await buildLinkedContactView(t.ctx, { provider: 'hubspot', externalId: '4242', crmId: '101' });
    expect(linked.connection).toMatchObject({ id: connectionId, accountId: t.account.id, status: 'connected' });
    expect(linked.view).toMatchObject({ contact: { crmId: '101', email: 'pat@acme.example', name: 'Pat Doe' }, enrolment: { name: 'Pat Doe' } });
    expect(await buildLinkedContactView(t.ctx, { provider: 'hubspot', externalId: '4242', crmId: '999999' })).toMatchObject({ connection: { id: connectionId }, view: null });
    expect(await buildLinkedContactView(t.ctx, { provider: 'hubspot', externalId: '777', crmId: '101' })).toEqual({ connection: null, view: null });
    expect(await buildLinkedContactView(t.ctx, { provider: 'intercom', externalId: '4242', crmId: '101' })).toEqual({ connection: null, view: null });
  });
});

describe('timestamps on the card', () => {
  it('shows every form of PostgreSQL timestamp as the same instant in ISO form, to the millisecond', () => {
    const cases = {
      '2026-11-22T11:46:00.123456+00:00': '2026-11-22T11:46:00.123Z',
      '2026-11-22T11:46:00.9999+00:00': '2026-11-22T11:46:00.999Z',
      '2026-11-22T11:46:00.12+00:00': '2026-11-22T11:46:00.120Z',
      '2026-11-22T11:46:00+00:00': '2026-11-22T11:46:00.000Z',
      '2026-11-22T11:46:00.5+00': '2026-11-22T11:46:00.500Z',
      '2026-11-22T12:46:00.123456+01:00': '2026-11-22T11:46:00.123Z',
      '2026-11-22T06:16:00.5-05:30': '2026-11-22T11:46:00.500Z',
    };
    for (const [pg, shown] of Object.entries(cases)) expect(iso(pg), pg).toBe(shown);
  });
});
