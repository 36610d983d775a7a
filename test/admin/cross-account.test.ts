import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app.ts';
import { apiKeys, campaigns, connections, outboundEvents, participants, syncRuns, webhookDeliveries, webhookEndpoints } from '../../server/db/schema.ts';
import { createApiKey } from '../../server/program/accounts.ts';
import { createWebhookEndpoint } from '../../server/api/webhook-endpoint-routes.ts';
import { otherTenant, signIn, textOf, type Admin } from './support.ts';

// An account's admins see only their account: another tenant's campaign, participant, endpoint,
// delivery, sync, connection or API key id is a 404 on every page and every form, exactly like an
// id that does not exist, and nothing of the other tenant shows in any list.

let t: TestApp;
let admin: Admin;
let other: Awaited<ReturnType<typeof otherTenant>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  other = await otherTenant(t, 'Rival Corp');
  const [conn] = await t.ctx.db.insert(connections).values({ accountId: other.account.id, provider: 'hubspot', externalId: '9999', name: 'Rival portal' }).returning();
  const { endpoint } = await createWebhookEndpoint(t.ctx, other.account.id, { url: 'https://rival.example/hook', description: 'Rival hook' });
  await t.ctx.db.insert(outboundEvents).values({ id: 'evt_rival', accountId: other.account.id, type: 'lead.created', payload: {} });
  const [delivery] = await t.ctx.db.insert(webhookDeliveries).values({ accountId: other.account.id, eventId: 'evt_rival', endpointId: endpoint.id }).returning();
  const [run] = await t.ctx.db
    .insert(syncRuns)
    .values({ accountId: other.account.id, campaignId: other.campaign.id, connectionId: conn!.id, provider: 'hubspot', source: { kind: 'all' }, mode: 'ongoing', state: 'running' })
    .returning();
  const key = await createApiKey(t.ctx.db, other.account.id, 'Rival key');
  Object.assign(ids, { campaign: other.campaign.id, lead: other.lead.id, referrer: other.referrer.id, connection: conn!.id, endpoint: endpoint.id, delivery: delivery!.id, run: run!.id, key: key.id });
  admin = await signIn(t, t.account.id);
});

afterAll(async () => {
  await t?.stop();
});

describe('another account’s ids', () => {
  it('every page answers 404', async () => {
    const pages = [
      `/admin/campaigns/${ids.campaign}`,
      `/admin/campaigns/${ids.campaign}/mapping`,
      `/admin/campaigns/${ids.campaign}/rules`,
      `/admin/campaigns/${ids.campaign}/participants`,
      `/admin/campaigns/${ids.campaign}/participants/${ids.lead}`,
      `/admin/webhooks/${ids.endpoint}`,
      `/admin/syncs/${ids.run}/progress.json`,
      `/admin/syncs?campaign=${ids.campaign}`,
      // malformed ids are the same 404, never a 500
      '/admin/campaigns/not-a-uuid',
      `/admin/campaigns/${ids.campaign}/participants/not-a-uuid`,
    ];
    for (const path of pages) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(404);
      expect(res.html).not.toContain('Rival');
    }
  });

  it('a participant of another account is 404 even inside one of this account’s campaigns', async () => {
    const mine = await admin.post('/admin/campaigns', { name: 'Mine', status: 'active' });
    const myCampaign = mine.location!.split('/').pop()!;
    expect((await admin.get(`/admin/campaigns/${myCampaign}/participants/${ids.lead}`)).status).toBe(404);
    expect((await admin.post(`/admin/campaigns/${myCampaign}/participants/${ids.lead}/status`, { action: 'qualify' })).status).toBe(404);
    // bulk: the other tenant's lead is skipped as "not in this campaign", and stays pending
    const bulk = await admin.post(`/admin/campaigns/${myCampaign}/participants/bulk`, { action: 'qualify', ids: [ids.lead] });
    expect(bulk.status).toBe(303);
    const [lead] = await t.ctx.db.select().from(participants).where(eq(participants.id, ids.lead));
    expect(lead!.leadStatus).toBe('pending');
  });

  it('every form answers 404 and changes nothing', async () => {
    const forms: [string, Record<string, string | string[]>][] = [
      [`/admin/campaigns/${ids.campaign}`, { name: 'Hijacked' }],
      [`/admin/campaigns/${ids.campaign}/rules`, { kind: 'intercom_tag', tag: '1' }],
      [`/admin/campaigns/${ids.campaign}/rules/x/delete`, {}],
      [`/admin/campaigns/${ids.campaign}/mapping`, { provider: 'hubspot' }],
      [`/admin/campaigns/${ids.campaign}/participants/bulk`, { action: 'qualify', ids: [ids.lead] }],
      [`/admin/campaigns/${ids.campaign}/participants/${ids.lead}/status`, { action: 'qualify' }],
      [`/admin/integrations/${ids.connection}/disconnect`, {}],
      [`/admin/syncs/${ids.run}/mode`, { mode: 'once' }],
      ['/admin/syncs', { campaign: ids.campaign, connection: ids.connection, source: 'all', mode: 'once' }],
      [`/admin/api-keys/${ids.key}/revoke`, {}],
      [`/admin/webhooks/${ids.endpoint}/delete`, {}],
      [`/admin/webhooks/${ids.endpoint}/deliveries/${ids.delivery}/resend`, {}],
    ];
    for (const [path, fields] of forms) {
      const res = await admin.post(path, fields);
      expect(res.status, path).toBe(404);
    }
    const [c] = await t.ctx.db.select().from(campaigns).where(eq(campaigns.id, ids.campaign));
    expect(c!.name).toBe('Rival Corp campaign');
    const [lead] = await t.ctx.db.select().from(participants).where(eq(participants.id, ids.lead));
    expect(lead!.leadStatus).toBe('pending');
    const [conn] = await t.ctx.db.select().from(connections).where(eq(connections.id, ids.connection));
    expect(conn!.status).toBe('connected');
    const [run] = await t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, ids.run));
    expect(run!.mode).toBe('ongoing');
    const [key] = await t.ctx.db.select().from(apiKeys).where(eq(apiKeys.id, ids.key));
    expect(key!.revokedAt).toBeNull();
    const [ep] = await t.ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ids.endpoint));
    expect(ep!.disabledAt).toBeNull();
    const [d] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, ids.delivery));
    expect(d!.status).toBe('pending');
  });

  it('lists show nothing of the other tenant', async () => {
    for (const path of ['/admin', '/admin/integrations', '/admin/campaigns', '/admin/syncs', '/admin/audit', '/admin/api-keys', '/admin/webhooks', '/admin/participants']) {
      const res = await admin.get(path);
      const page = res.status === 303 ? await admin.get(res.location!) : res;
      expect(page.status, path).toBe(200);
      const text = textOf(page.html);
      for (const secret of ['Rival', 'rival', '9999', 'ref@rivalcorp.test', 'lead@rivalcorp.test']) expect(text, `${path} shows ${secret}`).not.toContain(secret);
    }
  });
});
