import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { eventually } from '../support/app.ts';
import { refuseChangesTo } from '../support/database.ts';
import { hubSignature } from '../emulators/intercom/index.ts';
import { auditEvents, rewards, syncRuns, webhookInbox, type Connection } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from './harness.ts';
import { signedInCookies } from './session.ts';

// Intercom's webhooks as Intercom sends them: signed, at least once, sometimes twice, sometimes
// out of order. Tags and attributes qualify leads; new contacts join ongoing syncs.

const W = 'hookws01';
let h: Harness;
let campaignId: string;
let connection: Connection;
let code: string;
const contacts: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  h.emu.createWorkspace({ idCode: W, name: 'Hooks Inc' });
  const seeded = h.emu.seedWorkspace(W, {
    dataAttributes: [{ name: 'plan', data_type: 'string' }],
    tags: ['Customer', 'VIP'],
    contacts: [
      { email: 'ann@hooks.example', name: 'Ann Referrer', role: 'user' },
      ...['dup', 'stale', 'attr', 'both', 'stuck', 'fine'].map((n) => ({ email: `${n}@friends.example`, name: `${n} Friend`, role: 'lead' as const })),
    ],
  });
  Object.assign(contacts, seeded.contacts);
  const res = await h.t.api('POST', '/api/v1/campaigns', {
    name: 'Hooks',
    reward_rules: [{ id: 'r', name: '$10', recipient: 'referrer', amountCents: 1000, currency: 'USD' }],
    qualification_rules: [
      { id: 'tag', kind: 'intercom_tag', tagId: seeded.tags.Customer, tagName: 'Customer' },
      { id: 'paid', kind: 'intercom_attribute', attribute: 'plan', value: 'Paid' },
    ],
  });
  campaignId = res.body.id;
  code = (await h.t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ann@hooks.example' })).body.code;
  for (const n of ['dup', 'stale', 'attr', 'both', 'stuck', 'fine']) await h.t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: `${n}@friends.example`, referral_code: code });
  expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
  connection = await connectionOf(h, W);
});
afterAll(() => h?.stop());

const lead = async (email: string) => (await h.t.api('GET', `/api/v1/participants/${email}?campaign_id=${campaignId}`)).body;
const qualifiedAudits = async (participantId: string) =>
  (await h.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, participantId), eq(auditEvents.action, 'lead.qualified')))).length;
const inbox = () => h.t.ctx.db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, connection.id));
const post = (raw: string, signature?: string) =>
  h.t.app.request('/intercom/webhooks', { method: 'POST', headers: { 'content-type': 'application/json', ...(signature !== undefined && { 'x-hub-signature': signature }) }, body: raw });

describe('Intercom webhooks', () => {
  it('passes Intercom’s HEAD check of the webhook URL and answers its ping', async () => {
    expect((await h.t.app.request('/intercom/webhooks', { method: 'HEAD' })).status).toBe(200);
    expect(h.emu.apps()[0]!.webhookStatus).toBe('verified');
    const ping = h.emu.webhooks.deliveries.find((d) => d.kind === 'ping');
    expect(ping).toMatchObject({ status: 200, ok: true });
  });

  it('refuses a notification whose X-Hub-Signature is missing or wrong, and stores nothing', async () => {
    const raw = JSON.stringify({ type: 'notification_event', app_id: W, id: 'notif_forged', topic: 'contact.user.tag.created', created_at: 1, data: { item: {} } });
    expect((await post(raw)).status).toBe(401);
    expect((await post(raw, hubSignature('wrong-secret', raw))).status).toBe(401);
    expect((await post(raw, 'sha1=short')).status).toBe(401);
    expect((await inbox()).some((r) => r.dedupeKey === 'notif_forged')).toBe(false);
  });

  it('acknowledges and ignores a notification from a workspace it does not know', async () => {
    const raw = JSON.stringify({ type: 'notification_event', app_id: 'strangers', id: 'notif_stranger', topic: 'contact.user.created', created_at: 1, data: { item: { id: 'x' } } });
    const res = await post(raw, hubSignature(h.clientSecret, raw));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: 'unknown workspace' });
    expect((await h.t.ctx.db.select().from(webhookInbox).where(eq(webhookInbox.dedupeKey, 'notif_stranger'))).length).toBe(0);
  });

  it('qualifies a lead exactly once when the tag notification arrives twice and is replayed', async () => {
    h.emu.webhooks.setBehaviour({ duplicate: 1 });
    h.emu.ui.tagContact(W, contacts['dup@friends.example']!, 'Customer');
    await h.emu.webhooks.settle();
    h.emu.webhooks.setBehaviour({});
    const delivered = h.emu.webhooks.deliveries.filter((d) => d.topic === 'contact.lead.tag.created');
    expect(delivered.length).toBeGreaterThanOrEqual(2);
    expect(new Set(delivered.map((d) => d.notificationId)).size).toBe(1);
    // and once more by hand, as a retry after a lost acknowledgement would
    const replay = await post(delivered[0]!.body, delivered[0]!.headers['X-Hub-Signature'] ?? delivered[0]!.headers['x-hub-signature']);
    expect(await replay.json()).toMatchObject({ ok: true, duplicate: true });

    const dup = await eventually(async () => {
      const p = await lead('dup@friends.example');
      expect(p).toMatchObject({ lead_status: 'qualified', status_source: 'intercom_tag' });
      return p;
    });
    await eventually(async () => expect((await inbox()).filter((r) => r.eventType === 'contact.lead.tag.created' && r.processedAt).length).toBe(1));
    expect(await qualifiedAudits(dup.id)).toBe(1);
    expect(await h.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, dup.id))).toHaveLength(1);
  });

  it('records why a tag changed nothing: a tag no rule uses, or a contact who is not a referred lead', async () => {
    h.emu.ui.tagContact(W, contacts['attr@friends.example']!, 'VIP');
    h.emu.ui.tagContact(W, contacts['ann@hooks.example']!, 'Customer');
    await h.emu.webhooks.settle();
    await eventually(async () => {
      const results = (await inbox()).filter((r) => r.eventType.endsWith('.tag.created')).map((r) => r.result);
      expect(results).toContain('skipped: no campaign qualifies leads on tag "VIP"');
      expect(results).toContain('skipped: not a referred lead in "Hooks"');
    });
    expect((await lead('attr@friends.example')).lead_status).toBe('pending');
  });

  it('does not qualify on a stale notification: the tag was removed before the event was applied', async () => {
    const id = contacts['stale@friends.example']!;
    h.emu.ui.tagContact(W, id, 'Customer');
    h.emu.ui.untagContact(W, id, 'Customer');
    await h.emu.webhooks.settle();
    await eventually(async () => {
      const row = (await inbox()).find((r) => r.eventType === 'contact.lead.tag.created' && (r.payload as any).data.item.contact.id === id);
      expect(row?.result).toBe('skipped: tag "Customer" was removed from the contact since');
    });
    expect((await lead('stale@friends.example')).lead_status).toBe('pending');
  });

  it('sets aside a notification the database refuses every time, and still qualifies the lead tagged with it', async () => {
    const stuck = await lead('stuck@friends.example');
    const allowChanges = await refuseChangesTo(h.t.ctx.db, stuck.id);
    try {
      h.emu.ui.tagContact(W, contacts['stuck@friends.example']!, 'Customer');
      h.emu.ui.tagContact(W, contacts['fine@friends.example']!, 'Customer');
      await h.emu.webhooks.settle();
      await eventually(async () => {
        expect((await lead('fine@friends.example')).lead_status).toBe('qualified');
        expect(await h.t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, connection.id), isNull(webhookInbox.processedAt)))).toHaveLength(0);
      }, 20_000);
      const row = (await inbox()).find((r) => r.eventType === 'contact.lead.tag.created' && (r.payload as any).data.item.contact.id === contacts['stuck@friends.example']);
      expect(row?.result).toMatch(/^failed: .*no change to this lead is allowed/);
      expect((await lead('stuck@friends.example')).lead_status).toBe('pending');
    } finally {
      await allowChanges();
    }
  });

  it('qualifies a lead when a contact attribute reaches the rule’s value, and ignores other changes cheaply', async () => {
    const id = contacts['attr@friends.example']!;
    h.emu.requestLog.clear();
    h.emu.ui.updateAttribute(W, id, 'plan', 'Trial');
    await eventually(async () => {
      const row = (await inbox()).find((r) => r.eventType === 'contact.lead.updated' && (r.payload as any).data.item.custom_attributes.plan === 'Trial');
      expect(row?.result).toBe('skipped: the change notified meets no attribute rule');
    });
    expect(h.emu.requestLog.count({ method: 'GET', path: `/contacts/${id}` })).toBe(0);
    h.emu.ui.updateAttribute(W, id, 'plan', 'Paid');
    await eventually(async () => expect(await lead('attr@friends.example')).toMatchObject({ lead_status: 'qualified', status_source: 'intercom_attribute' }));
  });

  it('ends the same when notifications arrive newest first: two rules met, one qualification', async () => {
    h.emu.webhooks.setBehaviour({ reorder: true, reorderWindowMs: 50 });
    const id = contacts['both@friends.example']!;
    h.emu.ui.updateAttribute(W, id, 'plan', 'Paid');
    h.emu.ui.tagContact(W, id, 'Customer');
    await h.emu.webhooks.settle();
    h.emu.webhooks.setBehaviour({});
    const both = await eventually(async () => {
      const p = await lead('both@friends.example');
      expect(p.lead_status).toBe('qualified');
      return p;
    });
    await eventually(async () => expect((await inbox()).filter((r) => !r.processedAt)).toEqual([]));
    expect(await qualifiedAudits(both.id)).toBe(1);
  });

  it('enrols new Intercom users in an ongoing sync of all users, and leads only once they sign up', async () => {
    const { run } = await startSync(h.t.ctx, { accountId: h.t.account.id, campaignId, connectionId: connection.id, source: { kind: 'all' }, mode: 'ongoing', actor: { type: 'system', source: 'admin' } });
    await eventually(async () => expect((await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]!.state).toBe('waiting'));
    h.emu.ui.createContact(W, { email: 'newbie@hooks.example', name: 'New Bie', role: 'user' });
    const visitor = h.emu.ui.createContact(W, { email: 'visitor@hooks.example', name: 'Vi Sitor', role: 'lead' });
    await eventually(async () => expect(await lead('newbie@hooks.example')).toMatchObject({ first_name: 'New', last_name: 'Bie', lead_status: null }));
    await eventually(async () => {
      const row = (await inbox()).find((r) => r.eventType === 'contact.lead.created' && (r.payload as any).data.item.email === 'visitor@hooks.example');
      expect(row?.result).toBe('skipped: not in users (a lead)');
    });
    expect((await h.t.api('GET', `/api/v1/participants/visitor@hooks.example?campaign_id=${campaignId}`)).status).toBe(404);
    // the visitor signs up: now a user, they join
    h.emu.ui.convertLead(W, visitor.id);
    await eventually(async () => expect(await lead('visitor@hooks.example')).toMatchObject({ first_name: 'Vi', lead_status: null }));
  });
});
