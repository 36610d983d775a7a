import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { crmPushQueue, participants, syncRuns, webhookInbox } from '../../../server/db/schema.ts';
import { startSync } from '../../../server/program/syncs.ts';
import { eventually } from '../../support/app.ts';
import { deliver, qualificationOutcome, seedLeads, sleep, startHubspotDrill, type HubspotDrill } from '../support/hubspot-drill.ts';
import { freePort, type RefcardProcess } from '../support/processes.ts';

// Long drill: a soak. Two server processes (web and workers, as `npm start` runs) under steady
// mixed traffic for a bounded few minutes while HubSpot answers 5% of calls with a 5xx and every
// call slowly: CRM users moving contacts to "customer" (HubSpot's webhooks), reps opening the card,
// an integration on the REST API, duplicate and unrelated webhook deliveries, a list sync. Then the
// faults stop, and everything must settle: every event applied, each lead qualified once, every
// link written back, no 5xx to anyone, and memory that did not keep growing.

const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 240) * 1000;
let d: HubspotDrill;
let procs: RefcardProcess[];

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: true, emulator: { webhookRetryDelaysMs: [1000, 2000, 4000, 8000, 16000, 30000] } });
  const second = await freePort();
  procs = [await d.start('web', { workers: true }), await d.start('web', { workers: true, port: second })];
}, 120_000);
afterAll(() => d?.stop());

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe('a soak of a few minutes under mixed traffic and HubSpot faults', () => {
  it('loses nothing, does nothing twice, answers no 5xx, and its memory stops growing', async () => {
    const { campaign, leads } = await seedLeads(d, 400, 'soak');
    const listId = d.emu.ui.createList(d.portalId, { name: 'Soak list', processingType: 'MANUAL' });
    d.emu.generateContacts(d.portalId, 1500, { addToList: { listId }, emailDomain: 'soaklist.test' });
    const key = d.t.account.apiKey;
    const statuses = new Map<string, Map<number, number>>();
    const count = (what: string, status: number) => {
      const m = statuses.get(what) ?? new Map<number, number>();
      m.set(status, (m.get(status) ?? 0) + 1);
      statuses.set(what, m);
    };
    const rssStart = procs.map((p) => rssMb(p.pid));
    const rssSamples: number[][] = [];

    d.emu.faults.set({ errorRate: 0.05, latencyMs: [5, 60], path: '/crm/' });
    const { run } = await startSync(d.t.ctx, { accountId: d.accountId, campaignId: campaign.id, connectionId: d.connection.id, source: { kind: 'list', id: String(listId), name: 'Soak list' }, mode: 'once', actor: { type: 'user', source: 'admin', label: 'admin@acme.test' } });

    const customers = new Set<number>();
    const deadline = Date.now() + SOAK_MS;
    let tick = 0;
    const loop = async (worker: number) => {
      while (Date.now() < deadline) {
        const i = tick++;
        const lead = leads[(i * 7919 + worker) % leads.length]!;
        const proc = procs[i % 2]!;
        try {
          switch (i % 5) {
            case 0: {
              // A CRM user marks the contact a customer (HubSpot sends the webhook to the public URL).
              d.emu.ui.updateContact(d.portalId, lead.contactId, { lifecyclestage: i % 3 ? 'customer' : 'opportunity' });
              if (i % 3) customers.add(lead.contactId);
              break;
            }
            case 1: {
              const r = await d.emu.card.fetch({ appId: d.app.appId, portalId: d.portalId, userId: 7, userEmail: 'rita@acme.test', url: `${d.publicUrl}/hubspot/card?contactId=${lead.contactId}`, associatedObjectId: lead.contactId });
              count('card', r.status);
              break;
            }
            case 2: {
              const res = await fetch(`${proc.url}/api/v1/campaigns/${campaign.id}/stats`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(15_000) });
              await res.arrayBuffer();
              count('api stats', res.status);
              break;
            }
            case 3: {
              const res = await fetch(`${proc.url}/api/v1/referrers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ campaign_id: campaign.id, email: `soak${i}@api.test` }), signal: AbortSignal.timeout(15_000) });
              await res.arrayBuffer();
              count('api referrer', res.status);
              break;
            }
            case 4: {
              // Unrelated changes and duplicates, straight to the second process.
              const ok = await deliver(d, proc.url, [{ eventId: 50_000_000 + i, subscriptionId: 2, portalId: d.portalId, appId: d.app.appId, occurredAt: Date.now(), subscriptionType: 'object.propertyChange', attemptNumber: 0, objectId: lead.contactId, objectTypeId: '0-1', propertyName: 'hs_lead_status', propertyValue: 'OPEN', changeSource: 'CRM_UI', sourceId: 'userId:7' }]);
              count('webhook', ok ? 200 : 0);
              break;
            }
          }
        } catch (err) {
          count(`error ${(err as Error).message.slice(0, 40)}`, 0);
        }
        if (i % 50 === 0) rssSamples.push(procs.map((p) => rssMb(p.pid)));
        await sleep(40);
      }
    };
    await Promise.all([0, 1, 2, 3].map(loop));
    const summary = Object.fromEntries([...statuses].map(([k, m]) => [k, Object.fromEntries(m)]));
    console.log(`soak: ${tick} operations in ${SOAK_MS / 1000} s`, JSON.stringify(summary));

    // Every answer our processes gave was a success: the faults stayed between Refcard and HubSpot.
    for (const [what, m] of statuses) for (const status of m.keys()) expect(status, `${what} answered ${status}`).toBeLessThan(500);
    expect([...statuses.keys()].filter((k) => k.startsWith('error'))).toEqual([]);
    expect(statuses.get('webhook')?.get(0) ?? 0).toBe(0);

    d.emu.faults.clear();
    await d.emu.webhooks.settle({ timeoutMs: 120_000 });
    await eventually(async () => {
      expect((await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]).toMatchObject({ state: 'completed', done: 1500 });
      expect(await d.t.ctx.db.select({ id: webhookInbox.id }).from(webhookInbox).where(and(eq(webhookInbox.connectionId, d.connection.id), isNull(webhookInbox.processedAt)))).toEqual([]);
      expect(await d.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, d.connection.id))).toEqual([]);
    }, 300_000);
    // Each lead HubSpot made a customer is qualified exactly once; the others are still pending.
    const outcome = await qualificationOutcome(d.t, leads.map((l) => l.id));
    expect(customers.size).toBeGreaterThan(20);
    for (const l of leads) {
      const want = customers.has(l.contactId) ? ['qualified', 1, 1] : ['pending', 0, 0];
      expect([l.email, outcome.statuses.get(l.id), outcome.rewards.get(l.id) ?? 0, outcome.audits.get(l.id) ?? 0]).toEqual([l.email, ...want]);
    }
    // Every list member has its link in HubSpot.
    const unlinked = d.emu.portal(d.portalId).list(listId)!.members.filter((id) => !d.emu.portal(d.portalId).contact(Number(id))!.properties.refcard_referral_link);
    expect(unlinked).toEqual([]);
    const [{ n }] = (await d.t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(participants).where(eq(participants.campaignId, campaign.id))) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(1500 + leads.length);

    // Memory: after a warm-up half (heaps and caches fill), the last quarter sits less than 100 MB
    // above the third (medians, so a garbage collection in either does not count as growth).
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const quarter = Math.floor(rssSamples.length / 4);
    const third = rssSamples.slice(2 * quarter, 3 * quarter);
    const last = rssSamples.slice(3 * quarter);
    const growth = procs.map((_, k) => median(last.map((s) => s[k]!)) - median(third.map((s) => s[k]!)));
    console.log(`RSS MB at start ${rssStart.map(Math.round)}, peak ${procs.map((_, k) => Math.round(Math.max(...rssSamples.map((s) => s[k]!))))}, median growth from the third to the last quarter ${growth.map(Math.round)}`);
    expect(quarter).toBeGreaterThan(3);
    for (const g of growth) expect(g).toBeLessThan(100);
    for (const p of procs) expect(p.alive()).toBe(true);
  }, 900_000);
});
