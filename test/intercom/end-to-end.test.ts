import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { eventually } from '../support/app.ts';
import { startReceiver } from '../support/receiver.ts';
import { auditEvents, participants, syncRuns, type Connection } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { INTERCOM_ATTRIBUTES } from '../../shared/campaign.ts';
import { canvasText, connectionOf, expectValidCanvas, installThroughOAuth, startHarness, type Harness } from './harness.ts';
import { signedInCookies } from './session.ts';

// The whole Intercom side as a customer lives it: install from the App Store, a segment of 500
// users becomes referrers with their referral attributes in Intercom, a friend signs up, the
// lead appears in Intercom, an agent qualifies it from the inbox, and another is qualified by a tag.

const WS = 'acme0001';
let h: Harness;
let campaignId: string;
let segmentId: string;
let customerTagId: string;
let connection: Connection;
const rx = await startReceiver();
const timings: Record<string, number> = {};

beforeAll(async () => {
  h = await startHarness();
  h.emu.createWorkspace({ idCode: WS, name: 'Acme Support', admins: [{ name: 'Ada Agent', email: 'ada@acme.example' }] });
  const seeded = h.emu.seedWorkspace(WS, {
    dataAttributes: [{ name: 'plan', data_type: 'string' }],
    tags: ['Customer'],
    segments: [{ name: 'Advocates', attributes: { plan: 'Pro' } }],
  });
  segmentId = seeded.segments.Advocates!;
  customerTagId = seeded.tags.Customer!;
  h.emu.generateContacts(WS, 600, { attributes: { plan: (i) => (i < 500 ? 'Pro' : 'Free') } });
  const res = await h.t.api('POST', '/api/v1/campaigns', {
    name: 'Advocates',
    reward_rules: [{ id: 'bounty', name: '$50 per friend', recipient: 'referrer', amountCents: 5000, currency: 'USD' }],
    qualification_rules: [{ id: 'customer-tag', kind: 'intercom_tag', tagId: customerTagId, tagName: 'Customer' }],
    settings: { intercomNewParticipants: 'lead' },
  });
  expect(res.status).toBe(201);
  campaignId = res.body.id;
  const ep = await h.t.api('POST', '/api/v1/webhook-endpoints', { url: rx.url, events: ['lead.qualified', 'reward.issued'] });
  expect(ep.status).toBe(201);
});
afterAll(async () => {
  await h?.stop();
  await rx.close();
  console.log('intercom end-to-end timings (ms):', timings);
});

const participant = async (email: string) => (await h.t.api('GET', `/api/v1/participants/${encodeURIComponent(email)}?campaign_id=${campaignId}`)).body;
const contactByEmail = (email: string) => h.emu.findContactsByEmail(WS, email)[0];

async function friendSignsUp(referrerEmail: string, friend: { first: string; last: string; email: string }) {
  const code = (await participant(referrerEmail)).code;
  const res = await h.t.app.request(`/r/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ first_name: friend.first, last_name: friend.last, email: friend.email, consent: 'on' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

describe('Refcard for Intercom, from install to a qualified referral', () => {
  it('installs from the App Store through Intercom’s consent page into the admin’s Refcard account', async () => {
    const started = Date.now();
    const out = await installThroughOAuth(h, WS, { query: '?from=appstore', cookies: await signedInCookies(h, h.t.account.id) });
    expect(out.status).toBe(302);
    // back to Intercom's App Store, which shows the install as done
    expect(out.location).toBe('/oauth/intercom/installed');
    const final = await h.t.app.request(out.location!);
    expect(final.headers.get('location')).toBe(`${h.apiBase}/appstore/redirect?install_success=true`);
    connection = await connectionOf(h, WS);
    expect(connection).toMatchObject({ accountId: h.t.account.id, status: 'connected', name: 'Acme Support', accessTokenExpiresAt: null });
    // the token Intercom issued is stored encrypted, never as is
    const token = h.emu.store.activeInstalls(WS).find((i) => i.client_id === h.clientId)!.token;
    expect(connection.accessTokenEnc).toBeTruthy();
    expect(connection.accessTokenEnc).not.toContain(token);
    timings.install = Date.now() - started;
  });

  it('creates Refcard’s data attributes in the workspace at install', () => {
    const names = h.emu.dataAttributes(WS).filter((a) => a.custom).map((a) => a.name);
    for (const attr of INTERCOM_ATTRIBUTES) expect(names).toContain(attr.name);
  });

  it('syncs a segment of 500 users as referrers and writes their referral link into each contact', async () => {
    const started = Date.now();
    const { run } = await startSync(h.t.ctx, {
      accountId: h.t.account.id,
      campaignId,
      connectionId: connection.id,
      source: { kind: 'segment', id: segmentId, name: 'Advocates' },
      mode: 'once',
      actor: { type: 'user', id: 'admin', label: 'ada@acme.example', source: 'admin' },
    });
    await eventually(async () => {
      const [r] = await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
      expect(r).toMatchObject({ state: 'completed', done: 500, total: 500, failed: 0 });
    }, 20_000);
    timings.segmentSync = Date.now() - started;
    const [{ n }] = (await h.t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(participants).where(eq(participants.campaignId, campaignId))) as [{ n: number }];
    expect(n).toBe(500);
    // 150 per page: four searches for 500 members
    expect(h.emu.requestLog.count({ method: 'POST', path: '/contacts/search' })).toBeGreaterThanOrEqual(4);

    const pro = h.emu.store.workspace(WS);
    await eventually(() => {
      const withLink = [...pro.contacts.values()].filter((c) => typeof c.custom_attributes.referral_link === 'string' && c.custom_attributes.referral_link !== '');
      expect(withLink.length).toBe(500);
    }, 30_000);
    timings.attributesFor500 = Date.now() - started;
    const someone = [...pro.contacts.values()].find((c) => c.custom_attributes.plan === 'Pro')!;
    const p = await participant(someone.email!);
    expect(someone.custom_attributes).toMatchObject({ referral_link: p.link, referral_code: p.code, referrals_count: 0, referral_status: 'referrer' });
    expect([...pro.contacts.values()].filter((c) => c.custom_attributes.plan === 'Free' && c.custom_attributes.referral_link)).toEqual([]);
  });

  let referrerEmail: string;
  let leadId: string;
  let leadContactId: string;

  it('creates a referred friend in Intercom as a lead when they sign up on the referral page', async () => {
    referrerEmail = [...h.emu.store.workspace(WS).contacts.values()].find((c) => c.custom_attributes.plan === 'Pro')!.email!;
    const started = Date.now();
    leadId = (await friendSignsUp(referrerEmail, { first: 'Quinn', last: 'Friend', email: 'quinn@friends.example' })).id;
    const lead = await eventually(() => {
      const c = contactByEmail('quinn@friends.example');
      expect(c).toMatchObject({ role: 'lead', name: 'Quinn Friend', custom_attributes: { referred_by: referrerEmail, referral_status: 'pending' } });
      return c!;
    });
    timings.leadInIntercom = Date.now() - started;
    leadContactId = lead.id;
    await eventually(() => expect(contactByEmail(referrerEmail)!.custom_attributes).toMatchObject({ referrals_count: 1 }));
  });

  it('shows the agent the lead, who referred them and a Qualify button when they open the conversation', async () => {
    h.emu.ui.createConversation(WS, { contactIds: [leadContactId], body: 'Hi, a friend sent me' });
    const shown = expectValidCanvas(await h.emu.canvas.initialize({ clientId: h.clientId, workspaceId: WS, contactId: leadContactId }));
    timings.canvasInitialize = shown.durationMs;
    const text = canvasText(shown);
    expect(text).toContain('Referred by');
    expect(text).toMatch(/Pending/);
    expect(text).toContain('Qualify lead');
    expect(shown.canvas?.stored_data).toMatchObject({ contactId: leadContactId, campaignId, participantId: leadId });
  });

  it('qualifies the lead when the agent clicks Qualify: reward issued, referrer’s attributes updated, webhook sent', async () => {
    const opened = await h.emu.canvas.initialize({ clientId: h.clientId, workspaceId: WS, contactId: leadContactId });
    const clicked = expectValidCanvas(await h.emu.canvas.click(opened, `qualify:${leadId}`));
    timings.canvasQualify = clicked.durationMs;
    expect(canvasText(clicked)).toContain('Lead qualified. 1 reward issued.');
    expect(clicked.event).toEqual({ type: 'completed' });

    const referrer = await participant(referrerEmail);
    expect(referrer.stats).toMatchObject({ qualified: 1, rewards_earned: 1, rewards_label: '$50 (1 reward)' });
    expect((await participant('quinn@friends.example')).status_source).toBe('intercom_inbox');
    await eventually(() => expect(contactByEmail(referrerEmail)!.custom_attributes).toMatchObject({ qualified_referrals_count: 1, rewards_earned: 1 }));
    await eventually(() => expect(contactByEmail('quinn@friends.example')!.custom_attributes.referral_status).toBe('qualified'));
    await eventually(() => expect(rx.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['lead.qualified', 'reward.issued']));
    const [audit] = await h.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, leadId), eq(auditEvents.action, 'lead.qualified')));
    expect(audit).toMatchObject({ source: 'intercom_inbox', actorType: 'user', actorLabel: 'ada@acme.example' });
  });

  it('qualifies another lead when an agent applies the campaign’s tag to their contact in Intercom', async () => {
    const other = [...h.emu.store.workspace(WS).contacts.values()].filter((c) => c.custom_attributes.plan === 'Pro')[1]!.email!;
    const { id } = await friendSignsUp(other, { first: 'Rae', last: 'Tagged', email: 'rae@friends.example' });
    const contact = await eventually(() => {
      const c = contactByEmail('rae@friends.example');
      expect(c).toBeDefined();
      return c!;
    });
    const started = Date.now();
    h.emu.ui.tagContact(WS, contact.id, 'Customer');
    await eventually(async () => expect(await participant('rae@friends.example')).toMatchObject({ lead_status: 'qualified', status_source: 'intercom_tag' }));
    timings.tagToQualified = Date.now() - started;
    const [audit] = await h.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, id), eq(auditEvents.action, 'lead.qualified')));
    expect(audit!.externalEventId).toMatch(/^notif_/);
    expect(audit!.reason).toBe('Intercom tag Customer was applied');
    await eventually(() => expect(contactByEmail(other)!.custom_attributes).toMatchObject({ qualified_referrals_count: 1, rewards_earned: 1 }));
  });
});
