import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { connections, crmPushQueue, participants, syncRuns } from '../../../server/db/schema.ts';
import { startSync } from '../../../server/program/syncs.ts';
import { eventually } from '../../support/app.ts';
import { startHubspotDrill, type HubspotDrill } from '../support/hubspot-drill.ts';
import type { RefcardProcess } from '../support/processes.ts';

// Long drill: HubSpot access tokens that live half a minute (HubSpot's live 30 minutes), across a
// sync of thousands of contacts that outlives several of them, with a real worker process. Tokens
// die in the middle of jobs and between them, for real (no clock tricks): each must be refreshed and
// the work go on — nobody lost, nobody twice, every link written, the portal connected throughout.

const SIZE = 10_000;
const TOKEN_SECONDS = 30;
let d: HubspotDrill;
let worker: RefcardProcess;

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: false, emulator: { accessTokenTtlSeconds: TOKEN_SECONDS } });
  worker = await d.start('worker');
}, 120_000);
afterAll(() => d?.stop());

describe('access tokens expiring every half minute during a long sync', () => {
  it('refreshes them as they die, finishes the sync and the write-back, and never disconnects', async () => {
    const listId = d.emu.ui.createList(d.portalId, { name: 'Long sync', processingType: 'MANUAL' });
    d.emu.generateContacts(d.portalId, SIZE, { addToList: { listId }, emailDomain: 'longsync.test' });
    const campaign = (await d.t.api('POST', '/api/v1/campaigns', { name: 'Minute tokens' })).body;
    // Slow enough that the sync outlives two token lifetimes, although it reads ahead and writes
    // four batches at once.
    d.emu.faults.set({ latencyMs: [1200, 2000], path: '/crm/' });
    d.emu.requestLog.clear();
    const t0 = Date.now();
    const { run } = await startSync(d.t.ctx, { accountId: d.accountId, campaignId: campaign.id, connectionId: d.connection.id, source: { kind: 'list', id: String(listId), name: 'Long sync' }, mode: 'once', actor: { type: 'user', source: 'admin', label: 'admin@acme.test' } });
    const statuses: string[] = [];
    const watch = setInterval(async () => {
      const [c] = await d.t.ctx.db.select({ status: connections.status }).from(connections).where(eq(connections.id, d.connection.id));
      statuses.push(c!.status);
    }, 1000);
    try {
      await eventually(async () => expect((await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]).toMatchObject({ state: 'completed', done: SIZE, failed: 0 }), 600_000);
      await eventually(async () => expect(await d.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, d.connection.id))).toEqual([]), 300_000);
    } finally {
      clearInterval(watch);
    }
    const seconds = (Date.now() - t0) / 1000;
    const [{ n, distinct }] = (await d.t.ctx.db
      .select({ n: sql<number>`count(*)::int`, distinct: sql<number>`count(distinct ${participants.email})::int` })
      .from(participants)
      .where(eq(participants.campaignId, campaign.id))) as [{ n: number; distinct: number }];
    expect([n, distinct]).toEqual([SIZE, SIZE]);
    const unlinked = d.emu.portal(d.portalId).list(listId)!.members.filter((id) => !d.emu.portal(d.portalId).contact(Number(id))!.properties.refcard_referral_link);
    expect(unlinked).toEqual([]);
    const refreshes = d.emu.requestLog.count({ path: '/oauth/v1/token' });
    const expired = d.emu.requestLog.count({ status: 401 });
    console.log(`${SIZE} contacts in ${seconds.toFixed(0)} s with ${TOKEN_SECONDS} s tokens: ${refreshes} refreshes, ${expired} calls met an expired token`);
    expect(seconds).toBeGreaterThan(2 * TOKEN_SECONDS);
    expect(refreshes).toBeGreaterThanOrEqual(Math.floor(seconds / TOKEN_SECONDS));
    expect(statuses.filter((s) => s !== 'connected')).toEqual([]);
    const [c] = await d.t.ctx.db.select().from(connections).where(eq(connections.id, d.connection.id));
    expect(c).toMatchObject({ status: 'connected', statusReason: null, refreshFailures: 0 });
    expect(worker.alive()).toBe(true);
    d.emu.faults.clear();
  }, 900_000);
});
