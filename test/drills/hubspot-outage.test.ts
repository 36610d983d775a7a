import { describe, expect, it } from 'vitest';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { auditEvents, connections, crmLinks, participants, rewards, webhookInbox } from '../../server/db/schema.ts';
import { LIST_PAGE, READ_AHEAD } from '../../server/hubspot/sync-sources.ts';
import { startSync } from '../../server/program/syncs.ts';
import { signV3 } from '../emulators/hubspot/index.ts';
import { eventually } from '../support/app.ts';
import { actor, useFaultyHub } from './support/faulty-hub.ts';
import { createCampaign, PUBLIC_URL } from '../hubspot/harness.ts';

// HubSpot failing while webhooks are being applied, and HubSpot taken away altogether: 5xx and
// dropped connections on the reads that deal-stage qualification needs, and the app uninstalled in
// the middle of a sync while webhooks keep arriving. Workers run as in production. Nothing may be
// lost, nothing done twice, and the connection's status must say what is true.

const drill = useFaultyHub();
const { api, portal, runOf, conn, pushQueue, newList, expectEnrolledOnceWithLinks } = drill;

describe('HubSpot failing under the webhook apply path, and going away', () => {
  it('applies deal-stage webhooks through 5xx and dropped connections on deal and association reads: each lead qualified once', async () => {
    const campaign = await createCampaign(api, {
      name: 'Flaky deals',
      reward_rules: [{ id: 'bounty', name: '$25', recipient: 'referrer', amountCents: 2500, currency: 'USD' }],
      qualification_rules: [{ id: 'won', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' }],
    });
    const ref = (await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'ref@flaky.test' })).body;
    const emails = Array.from({ length: 12 }, (_, i) => `lead${i}@flaky.test`);
    const leads: Record<string, string> = {};
    for (const email of emails) leads[email] = (await api('POST', '/api/v1/leads', { campaign_id: campaign.id, email, referral_code: ref.code })).body.id;
    const contacts = await eventually(async () => {
      const links = await drill.hub.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.connectionId, drill.connection.id));
      const ids = emails.map((e) => links.find((l) => l.participantId === leads[e])?.externalId);
      expect(ids.every(Boolean)).toBe(true);
      return ids as string[];
    }, 30_000);

    // The first reads are sure to fail (a dropped connection, then two 5xx); after that a quarter fail at random.
    drill.hub.emu.faults.set({ dropNext: 1, nextStatuses: [503, 502], errorRate: 0.25, dropRate: 0.1, latencyMs: [5, 40], path: /^\/crm\/(v3\/objects\/deals|v4\/)/ });
    drill.hub.emu.webhooks.setBehaviour({ shuffle: true, duplicateRate: 0.3 });
    try {
      // Three deals, four leads each; every deal is won twice (won, lost, won again).
      for (let d = 0; d < 3; d++) {
        const deal = drill.hub.emu.ui.createDeal(drill.hub.portalId, { dealname: `Deal ${d}`, dealstage: 'appointmentscheduled' }, { contacts: contacts.slice(d * 4, d * 4 + 4) });
        for (const stage of ['closedwon', 'closedlost', 'closedwon']) drill.hub.emu.ui.moveDealStage(drill.hub.portalId, deal, stage);
      }
      await drill.hub.emu.webhooks.settle();
      await eventually(async () => {
        const rows = await drill.hub.t.ctx.db.select().from(participants).where(eq(participants.campaignId, campaign.id));
        expect(rows.filter((p) => p.leadStatus && p.leadStatus !== 'qualified').map((p) => p.email)).toEqual([]);
        expect(await drill.hub.t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, drill.connection.id), isNull(webhookInbox.processedAt)))).toEqual([]);
      }, 90_000);
    } finally {
      drill.hub.emu.webhooks.setBehaviour({ shuffle: false, duplicateRate: 0 });
    }
    expect(drill.hub.emu.requestLog.count({ path: /^\/crm\/(v3\/objects\/deals|v4\/)/, status: (st) => st >= 500 })).toBeGreaterThanOrEqual(2);
    for (const id of Object.values(leads)) {
      expect(await drill.hub.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, id))).toHaveLength(1);
      expect(await drill.hub.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, id), eq(auditEvents.action, 'lead.qualified')))).toHaveLength(1);
    }
    expect((await conn()).status).toBe('connected');
  }, 120_000);

  it('disconnects with the reason when the app is uninstalled mid-sync, keeps the checkpoint and the webhooks, and after a reinstall finishes all of it once', async () => {
    // Long enough that pages read ahead cannot reach its end before the uninstall.
    const SIZE = LIST_PAGE * (READ_AHEAD + 4);
    const campaign = await createCampaign(api, {
      name: 'Uninstalled',
      reward_rules: [{ id: 'bounty', name: '$5', recipient: 'referrer', amountCents: 500, currency: 'USD' }],
      qualification_rules: [{ id: 'customer', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' }],
    });
    const ref = (await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'ref@uninstalled.test' })).body;
    const lead = (await api('POST', '/api/v1/leads', { campaign_id: campaign.id, email: 'lead@uninstalled.test', referral_code: ref.code })).body;
    const leadContact = await eventually(async () => {
      const [l] = await drill.hub.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.participantId, lead.id));
      expect(l).toBeDefined();
      return l!.externalId;
    }, 30_000);
    const listId = newList('Half synced', SIZE, 'halfsync.test');
    drill.hub.emu.faults.set({ latencyMs: 400, path: '/crm/v3/lists' });
    const { run } = await startSync(drill.hub.t.ctx, { accountId: drill.connection.accountId, campaignId: campaign.id, connectionId: drill.connection.id, source: { kind: 'list', id: listId, name: 'Half synced' }, mode: 'once', actor });
    await eventually(async () => expect((await runOf(run.id)).done).toBeGreaterThanOrEqual(100), 60_000);

    drill.hub.emu.uninstall(drill.hub.app.appId, drill.hub.portalId);
    const down = await eventually(async () => {
      const c = await conn();
      expect(c.status).toBe('disconnected');
      return c;
    }, 30_000);
    expect(down.statusReason).toMatch(/revoked|uninstalled/i);
    expect(down.statusReason).toMatch(/reconnect|install Refcard again/i);
    const paused = await runOf(run.id);
    expect(paused.state).toBe('running');
    expect(paused.done).toBeLessThan(SIZE);
    expect(paused.done % LIST_PAGE).toBe(0);

    // HubSpot still delivers a webhook it had queued: acknowledged, kept, not applied while disconnected.
    const body = JSON.stringify([{ eventId: 4_242_001, subscriptionId: 5, portalId: drill.hub.portalId, appId: drill.hub.app.appId, occurredAt: Date.now(), subscriptionType: 'object.propertyChange', objectTypeId: '0-1', objectId: Number(leadContact), propertyName: 'lifecyclestage', propertyValue: 'customer', attemptNumber: 0 }]);
    const ts = Date.now();
    const hook = await drill.hub.t.app.request('/hubspot/webhooks', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signV3(drill.hub.app.clientSecret, 'POST', `${PUBLIC_URL}/hubspot/webhooks`, body, ts), 'x-hubspot-request-timestamp': String(ts) } });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({ stored: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await drill.hub.t.ctx.db.select().from(participants).where(eq(participants.id, lead.id)))[0]!.leadStatus).toBe('pending');
    const [{ n: waiting }] = (await drill.hub.t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(webhookInbox).where(and(eq(webhookInbox.connectionId, drill.connection.id), isNull(webhookInbox.processedAt)))) as [{ n: number }];
    expect(waiting).toBe(1);
    // The settings page in HubSpot tells the admin why (signed as HubSpot would; the install still answers there).
    const settings = await drill.hub.t.app.request(`/hubspot/settings?userId=7&portalId=${drill.hub.portalId}&appId=${drill.hub.app.appId}`, { headers: { 'x-hubspot-signature-v3': signV3(drill.hub.app.clientSecret, 'GET', `${PUBLIC_URL}/hubspot/settings?userId=7&portalId=${drill.hub.portalId}&appId=${drill.hub.app.appId}`, '', ts), 'x-hubspot-request-timestamp': String(ts) } });
    expect(await settings.json()).toMatchObject({ connection: { status: 'disconnected', reason: down.statusReason } });

    drill.hub.emu.faults.clear();
    const back = await drill.hub.install();
    expect(back.connection).toMatchObject({ id: drill.connection.id, status: 'connected', statusReason: null });
    await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: SIZE, failed: 0 }), 90_000);
    await eventually(async () => {
      expect((await drill.hub.t.ctx.db.select().from(participants).where(eq(participants.id, lead.id)))[0]!.leadStatus).toBe('qualified');
      expect(await pushQueue()).toEqual([]);
    }, 60_000);
    await expectEnrolledOnceWithLinks(campaign.id, listId, SIZE + 2);
    expect(await drill.hub.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, lead.id))).toHaveLength(1);
  }, 180_000);
});
