import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { crmPushQueue, participants, rewards, syncRuns, webhookInbox, type Connection } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { eventually } from '../support/app.ts';
import { canvasText, connectionOf, expectValidCanvas, installThroughOAuth, startHarness, type Harness } from '../intercom/harness.ts';
import { signedInCookies } from '../intercom/session.ts';
import { hubSignature } from '../emulators/intercom/index.ts';

// Intercom misbehaving in several ways at once — 429 storms, a share of 5xx, slow answers, dropped
// connections, access revoked mid-sync — on the segment sync, the attribute write-back, webhook
// apply and the inbox canvas, with the workers running as in production. Nothing lost, nobody
// twice, and the connection's status true: a 5xx never disconnects, a 401 always does, with why.

const W = 'faultyws';
const R = 'revokews2';
let h: Harness;
let conn: Connection;
let segmentId: string;
const system = { type: 'system' as const, source: 'admin' as const };

beforeAll(async () => {
  h = await startHarness();
  h.emu.createWorkspace({ idCode: W, name: 'Faulty Co' });
  h.emu.createWorkspace({ idCode: R, name: 'Revoking Co' });
  h.emu.seedWorkspace(W, { tags: ['Ambassador'], segments: [{ name: 'Ambassadors', tag: 'Ambassador' }] });
  h.emu.generateContacts(W, 300, { tags: { Ambassador: 1 }, seed: 11 });
  segmentId = h.emu.segments(W)[0]!.id as string;
  expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
  conn = await connectionOf(h, W);
}, 60_000);
afterAll(() => h?.stop());
beforeEach(() => {
  h.emu.faults.clear();
  h.emu.setRateLimits({ perAppPerMinute: 10_000, windowMs: 10_000 });
  h.emu.requestLog.clear();
});

const runOf = async (id: string) => (await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
const queued = (connectionId: string) => h.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, connectionId));

describe('Intercom failing in several ways at once', () => {
  it('syncs a segment and writes every attribute through 10% 5xx, dropped connections, slow answers and a 429 storm, and stays connected', async () => {
    const campaign = await h.t.ctx.db.transaction((tx) => createCampaign(tx, conn.accountId, { name: 'Faulty ambassadors' }, system));
    h.emu.setRateLimits({ perAppPerMinute: 240, windowMs: 1000 }); // 40 calls a second, far below Refcard's pace
    h.emu.faults.set({ errorRate: 0.1, errorStatus: 503, dropRate: 0.03, latencyMs: [5, 60], seed: 5 });
    const { run } = await startSync(h.t.ctx, { accountId: conn.accountId, campaignId: campaign.id, connectionId: conn.id, source: { kind: 'segment', id: segmentId }, mode: 'once', actor: system });
    await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: 300, failed: 0 }), 90_000);
    await eventually(async () => {
      const contacts = [...h.emu.store.workspace(W).contacts.values()];
      expect(contacts.filter((c) => !c.custom_attributes.referral_link).length).toBe(0);
      expect(await queued(conn.id)).toEqual([]);
    }, 90_000);
    const people = await h.t.ctx.db.select({ email: participants.email }).from(participants).where(eq(participants.campaignId, campaign.id));
    expect(people).toHaveLength(300);
    expect(new Set(people.map((p) => p.email)).size).toBe(300);
    const limited = h.emu.requestLog.count({ workspace: W, status: 429 });
    const failed = h.emu.requestLog.count((e) => e.workspace === W && (e.status >= 500 || e.fault === 'drop'));
    console.log(`faulty segment sync: ${h.emu.requestLog.count({ workspace: W })} calls, ${limited} answered 429, ${failed} failed or dropped`);
    expect(limited).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(await connectionOf(h, W)).toMatchObject({ status: 'connected', statusReason: null });
  }, 120_000);

  it('shows the agent a valid canvas while Intercom fails or drops the connection, and a 5xx never disconnects the workspace', async () => {
    // A contact without an email field in the request costs a lookup — which Intercom fails.
    const c = h.emu.ui.createContact(W, { role: 'lead', name: 'No Email' });
    h.emu.ui.createConversation(W, { contactIds: [c.id as string] });
    h.emu.faults.set({ errorRate: 1, errorStatus: 503, match: { path: /^\/contacts\// } });
    const shown = expectValidCanvas(await h.emu.canvas.initialize({ clientId: h.clientId, workspaceId: W, contactId: c.id as string }));
    expect(canvasText(shown).length).toBeGreaterThan(0);
    h.emu.faults.set({ dropRate: 1, match: { path: /^\/contacts\// } });
    expectValidCanvas(await h.emu.canvas.initialize({ clientId: h.clientId, workspaceId: W, contactId: c.id as string }));
    expect(await connectionOf(h, W)).toMatchObject({ status: 'connected', statusReason: null });
  }, 60_000);

  it('pauses a segment sync whose access is revoked half-way, says why, keeps webhooks and pushes, and after a reinstall finishes all of it once', async () => {
    const seeded = h.emu.seedWorkspace(R, { tags: ['Customer', 'Member'], segments: [{ name: 'Members', tag: 'Member' }], contacts: [{ email: 'ref@revoke2.example', role: 'user', name: 'Ref' }, { email: 'pal@friends2.example', role: 'lead', name: 'Pal' }] });
    h.emu.generateContacts(R, 450, { tags: { Member: 1 }, seed: 12 });
    expect((await installThroughOAuth(h, R, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
    const rc = await connectionOf(h, R);
    const campaignId = (
      await h.t.api('POST', '/api/v1/campaigns', {
        name: 'Revoked half-way',
        reward_rules: [{ id: 'r', name: '$3', recipient: 'referrer', amountCents: 300, currency: 'USD' }],
        qualification_rules: [{ id: 'tag', kind: 'intercom_tag', tagId: seeded.tags.Customer, tagName: 'Customer' }],
      })
    ).body.id;
    const ref = (await h.t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ref@revoke2.example' })).body;
    const lead = (await h.t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'pal@friends2.example', referral_code: ref.code })).body;
    const members = h.emu.segments(R).find((s) => s.name === 'Members')!.id as string;

    h.emu.faults.set({ latencyMs: 300, match: { path: '/contacts/search' } });
    const { run } = await startSync(h.t.ctx, { accountId: h.t.account.id, campaignId, connectionId: rc.id, source: { kind: 'segment', id: members }, mode: 'once', actor: system });
    await eventually(async () => expect((await runOf(run.id)).done).toBeGreaterThanOrEqual(150), 60_000);
    h.emu.uninstall(h.clientId, R);

    const down = await eventually(async () => {
      const c = await connectionOf(h, R);
      expect(c.status).toBe('disconnected');
      return c;
    }, 30_000);
    expect(down.statusReason).toMatch(/401.*Install Refcard again/);
    const paused = await eventually(async () => {
      const r = await runOf(run.id);
      expect(r.state).toBe('paused');
      return r;
    }, 30_000);
    expect(paused.done).toBeLessThan(450);
    // An agent tags the lead, and Intercom delivers a notification it had queued before the
    // uninstall: acknowledged and kept, not applied while disconnected.
    const pal = seeded.contacts['pal@friends2.example']!;
    h.emu.ui.tagContact(R, pal, 'Customer');
    const notification = JSON.stringify({
      type: 'notification_event', app_id: R, id: `notif_${run.id}`, topic: 'contact.lead.tag.created', created_at: Math.floor(Date.now() / 1000), delivery_attempts: 1,
      data: { type: 'notification_event_data', item: { type: 'contact_tag', tag: { type: 'tag', id: seeded.tags.Customer, name: 'Customer' }, contact: { type: 'contact', id: pal, role: 'lead', email: 'pal@friends2.example' } } },
    });
    const ack = await h.t.app.request('/intercom/webhooks', { method: 'POST', body: notification, headers: { 'content-type': 'application/json', 'x-hub-signature': hubSignature(h.clientSecret, notification) } });
    expect(await ack.json()).toMatchObject({ ok: true, duplicate: false });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await h.t.ctx.db.select().from(participants).where(eq(participants.id, lead.id)))[0]!.leadStatus).toBe('pending');
    const [kept] = await h.t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, rc.id), eq(webhookInbox.dedupeKey, `notif_${run.id}`)));
    expect(kept).toMatchObject({ eventType: 'contact.lead.tag.created', processedAt: null });

    h.emu.faults.clear();
    expect((await installThroughOAuth(h, R, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
    expect(await connectionOf(h, R)).toMatchObject({ id: rc.id, status: 'connected', statusReason: null });
    await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: 450, failed: 0 }), 90_000);
    // the notification kept while disconnected is applied now, once
    await eventually(async () => {
      expect((await h.t.ctx.db.select().from(participants).where(eq(participants.id, lead.id)))[0]!.leadStatus).toBe('qualified');
      expect(await h.t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, rc.id), isNull(webhookInbox.processedAt)))).toEqual([]);
    }, 60_000);
    expect(await h.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, lead.id))).toHaveLength(1);
    await eventually(async () => expect(await queued(rc.id)).toEqual([]), 60_000);
    const [{ n, d }] = (await h.t.ctx.db
      .select({ n: sql<number>`count(*)::int`, d: sql<number>`count(distinct ${participants.email})::int` })
      .from(participants)
      .where(eq(participants.campaignId, campaignId))) as [{ n: number; d: number }];
    expect(n).toBe(d);
    expect(n).toBeGreaterThanOrEqual(450);
    const written = [...h.emu.store.workspace(R).contacts.values()].filter((c) => c.custom_attributes.referral_link);
    expect(written.length).toBeGreaterThanOrEqual(450);
  }, 180_000);
});
