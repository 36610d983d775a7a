import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { eventually, startTestApp, type TestApp } from '../support/app.ts';
import { startReceiver } from '../support/receiver.ts';
import { auditEvents, connections, participants, webhookDeliveries } from '../../server/db/schema.ts';
import { signIn, textOf, type Admin } from './support.ts';

// What admins do from the console: qualify and unqualify many leads at once with a reason (and
// see it in the audit log), send a webhook delivery again, revoke an API key, disconnect a CRM.

let t: TestApp;
let admin: Admin;
let campaignId: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const leads: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ workers: true });
  receiver = await startReceiver();
  admin = await signIn(t, t.account.id);
  const c = await t.api('POST', '/api/v1/campaigns', { name: 'Bulk campaign' });
  campaignId = c.body.id;
  // An endpoint made in the console before the events, so every event is delivered to it.
  const made = await admin.post('/admin/webhooks', { url: receiver.url, description: 'Test receiver', events: ['lead.qualified'] });
  expect(made.status).toBe(200);
  expect(made.html).toMatch(/whsec_[\w-]+/);
  const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ann@acme.test', first_name: 'Ann' });
  for (const name of ['bo', 'cy', 'di']) {
    const l = await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: `${name}@friends.test`, first_name: name.toUpperCase(), referral_code: ref.body.code });
    leads[name] = l.body.id;
  }
  leads.ann = ref.body.id;
});

afterAll(async () => {
  await t?.stop();
  await receiver?.close();
});

const statusOf = async (id: string) => (await t.ctx.db.select().from(participants).where(eq(participants.id, id)))[0]!.leadStatus;

describe('bulk qualify and unqualify', () => {
  it('filters to pending leads, qualifies the selected ones with a reason, and says what happened', async () => {
    const pending = await admin.get(`/admin/campaigns/${campaignId}/participants?status=pending`);
    for (const name of ['BO', 'CY', 'DI']) expect(textOf(pending.html)).toContain(name);
    expect(textOf(pending.html)).not.toContain('ann@acme.test');

    const res = await admin.post(`/admin/campaigns/${campaignId}/participants/bulk`, { action: 'qualify', ids: [leads.bo!, leads.cy!, leads.ann!], reason: 'Signed the annual contract' });
    expect(res.status).toBe(303);
    const page = await admin.get(res.location!);
    expect(textOf(page.html)).toContain('2 leads qualified, 1 skipped (This person was not referred by anyone, so there is nothing to qualify.)');
    expect(await statusOf(leads.bo!)).toBe('qualified');
    expect(await statusOf(leads.cy!)).toBe('qualified');
    expect(await statusOf(leads.di!)).toBe('pending');

    const again = await admin.post(`/admin/campaigns/${campaignId}/participants/bulk`, { action: 'qualify', ids: [leads.bo!, leads.di!] });
    expect(textOf((await admin.get(again.location!)).html)).toContain('1 lead qualified, 1 already qualified');

    const un = await admin.post(`/admin/campaigns/${campaignId}/participants/bulk`, { action: 'unqualify', ids: [leads.cy!], reason: 'Duplicate of an existing customer' });
    expect(textOf((await admin.get(un.location!)).html)).toContain('1 lead unqualified');
    expect(await statusOf(leads.cy!)).toBe('unqualified');
  });

  it('records who did it, from where, before and after, and why — in the audit log and on the person', async () => {
    const [event] = await t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, leads.bo!), eq(auditEvents.action, 'lead.qualified')));
    expect(event).toMatchObject({ source: 'admin', actorType: 'user', actorLabel: 'admin@acme.test', before: { status: 'pending' }, reason: 'Signed the annual contract' });
    const log = textOf((await admin.get(`/admin/audit?campaign=${campaignId}&action=lead.qualified`)).html);
    expect(log).toMatch(/admin@acme\.test \(admin\) qualified BO .*Admin console pending → qualified Signed the annual contract/);
    expect(log).not.toContain('unqualified CY');
    const person = textOf((await admin.get(`/admin/campaigns/${campaignId}/participants/${leads.cy!}`)).html);
    expect(person).toContain('Duplicate of an existing customer');
    expect(person).toMatch(/unqualified .*qualified → unqualified/);
  });

  it('one lead from its own page', async () => {
    const res = await admin.post(`/admin/campaigns/${campaignId}/participants/${leads.cy!}/status`, { action: 'qualify', reason: 'Checked again' });
    expect(res.status).toBe(303);
    expect(textOf((await admin.get(res.location!)).html)).toContain('Lead qualified.');
    expect(await statusOf(leads.cy!)).toBe('qualified');
  });

  it('search and cursor pages', async () => {
    const found = textOf((await admin.get(`/admin/campaigns/${campaignId}/participants?q=cy%40friends`)).html);
    expect(found).toContain('cy@friends.test');
    expect(found).not.toContain('bo@friends.test');
    const bad = await admin.get(`/admin/campaigns/${campaignId}/participants?cursor=garbage`);
    expect(bad.status).toBe(400);
  });
});

describe('webhook deliveries', () => {
  it('shows the log with status and attempts, and Resend sends the same event again', async () => {
    await eventually(() => expect(receiver.received.length).toBeGreaterThanOrEqual(3), 15_000);
    const page = await admin.get('/admin/webhooks');
    const endpointId = /href="\/admin\/webhooks\/([0-9a-f-]{36})"/.exec(page.html)![1]!;
    const log = await admin.get(`/admin/webhooks/${endpointId}`);
    expect(textOf(log.html)).toMatch(/lead\.qualified evt_\w+ succeeded 1 HTTP 200/);
    const [delivery] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).limit(1);
    const before = receiver.received.length;
    const resent = await admin.post(`/admin/webhooks/${endpointId}/deliveries/${delivery!.id}/resend`, {});
    expect(resent.status).toBe(303);
    await eventually(() => expect(receiver.received.length).toBe(before + 1), 15_000);
    const again = receiver.received.at(-1)!;
    expect(again.headers['refcard-event-id']).toBe(delivery!.eventId);
    await eventually(async () => {
      const [d] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
      expect(d).toMatchObject({ status: 'succeeded', attempts: 2 });
    });
  });

  it('deleting an endpoint stops it', async () => {
    const page = await admin.get('/admin/webhooks');
    const endpointId = /href="\/admin\/webhooks\/([0-9a-f-]{36})"/.exec(page.html)![1]!;
    expect((await admin.post(`/admin/webhooks/${endpointId}/delete`, {})).status).toBe(303);
    expect((await admin.get(`/admin/webhooks/${endpointId}`)).status).toBe(404);
  });
});

describe('API keys', () => {
  it('shows a new key once, and revoking it locks it out of the API', async () => {
    const made = await admin.post('/admin/api-keys', { name: 'Billing system' });
    const key = /<code class="secret" id="new-key">(rk_live_[\w-]+)<\/code>/.exec(made.html)![1]!;
    const use = () => t.app.request('/api/v1/campaigns', { headers: { authorization: `Bearer ${key}` } });
    expect((await use()).status).toBe(200);
    const list = await admin.get('/admin/api-keys');
    expect(list.html).not.toContain(key);
    const id = /action="\/admin\/api-keys\/([0-9a-f-]{36})\/revoke"[^]*?Revoke key Billing system/.exec(list.html)![1]!;
    const revoked = await admin.post(`/admin/api-keys/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await use()).status).toBe(401);
    expect(textOf((await admin.get('/admin/api-keys')).html)).toMatch(/Billing system .*Revoked/);
    const twice = await admin.post(`/admin/api-keys/${id}/revoke`, {});
    expect(textOf((await admin.get(twice.location!)).html)).toContain('already revoked');
  });
});

describe('integrations', () => {
  it('disconnecting marks the connection with who and when, and drops its tokens', async () => {
    const [conn] = await t.ctx.db.insert(connections).values({ accountId: t.account.id, provider: 'intercom', externalId: 'ws_disc', name: 'Support', accessTokenEnc: 'v1.x.y.z' }).returning();
    const res = await admin.post(`/admin/integrations/${conn!.id}/disconnect`, {});
    expect(res.status).toBe(303);
    const [after] = await t.ctx.db.select().from(connections).where(eq(connections.id, conn!.id));
    expect(after).toMatchObject({ status: 'disconnected', accessTokenEnc: null });
    const text = textOf((await admin.get('/admin/integrations')).html);
    expect(text).toMatch(/Disconnected Disconnected by admin@acme\.test on .* Reconnect to resume\./);
    expect((await admin.get('/admin/integrations')).html).toContain('href="/oauth/intercom/install"');
  });
});
