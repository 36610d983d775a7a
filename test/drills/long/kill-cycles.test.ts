import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { participants, syncRuns } from '../../../server/db/schema.ts';
import { LIST_PAGE, READ_AHEAD } from '../../../server/hubspot/sync-sources.ts';
import { startSync } from '../../../server/program/syncs.ts';
import { eventually } from '../../support/app.ts';
import { chunks, deliver, inboxKey, inboxState, qualificationOutcome, qualifyingEvents, seedLeads, shuffled, sleep, startHubspotDrill, type HubspotDrill, type QualifyEvent } from '../support/hubspot-drill.ts';
import { freePort, type RefcardProcess } from '../support/processes.ts';

// Long drill: repeated kill -9, with real processes that run the job workers as `npm start` does.
//  - Two web processes behind one URL take a HubSpot webhook burst; in each cycle one of them is
//    killed mid-burst — while it is also applying events — deliveries fail over to the other, and
//    HubSpot redelivers what was not acknowledged. After every cycle: each lead exactly once.
//  - A list sync whose worker process is killed three times in the middle of a page: only pg-boss's
//    heartbeat can tell the job is dead, and each new worker must resume from the checkpoint.

let d: HubspotDrill;

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: false });
}, 120_000);
afterAll(() => d?.stop());

describe('repeated kill -9 of web processes running the workers, during webhook bursts', () => {
  it('keeps every acknowledged event and applies each exactly once in effect, cycle after cycle', async () => {
    const CYCLES = 4;
    const PER_CYCLE = 80;
    const { leads } = await seedLeads(d, CYCLES * PER_CYCLE, 'cycles');
    const secondPort = await freePort();
    const procs: RefcardProcess[] = [await d.start('web', { workers: true }), await d.start('web', { workers: true, port: secondPort })];
    const ports = [d.port, secondPort];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const mine = leads.slice(cycle * PER_CYCLE, (cycle + 1) * PER_CYCLE);
      const events = shuffled(qualifyingEvents(d, mine, 3, 10_000_000 * (cycle + 1)), cycle + 7);
      const batches = chunks(events, 20);
      const victim = cycle % 2;
      const acked = new Set<number>();
      const failed = new Set<number>();
      let killing: Promise<void> | null = null;
      let next = 0;
      // Four senders, alternating between the two processes as a load balancer would.
      const sender = async (s: number) => {
        for (;;) {
          const i = next++;
          if (i >= batches.length) return;
          const target = procs[(i + s) % 2]!;
          if (await deliver(d, target.url, batches[i]!)) {
            acked.add(i);
            if (acked.size === Math.floor(batches.length / 3) && !killing) killing = procs[victim]!.kill9();
          } else failed.add(i);
        }
      };
      await Promise.all([0, 1, 2, 3].map(sender));
      await killing;
      expect(procs[victim]!.alive(), `cycle ${cycle}: the victim is dead`).toBe(false);
      const ackedKeys = [...acked].flatMap((i) => batches[i]!.map(inboxKey));
      const s = await inboxState(d.t, ackedKeys);
      expect(ackedKeys.filter((k) => !s.stored.has(k)), `cycle ${cycle}: acknowledged events missing`).toEqual([]);
      // HubSpot redelivers to the URL, which now reaches the survivor; the victim restarts meanwhile.
      const survivor = procs[1 - victim]!;
      const restarting = d.start('web', { workers: true, port: ports[victim] });
      for (const i of [...failed, ...[...acked].slice(0, 2)]) {
        let ok = false;
        for (let attempt = 0; attempt < 10 && !ok; attempt++) {
          ok = await deliver(d, survivor.url, batches[i]!.map((e): QualifyEvent => ({ ...e, attemptNumber: e.attemptNumber + 1 })));
          if (!ok) await sleep(300);
        }
        expect(ok, `cycle ${cycle}: batch ${i} redelivered`).toBe(true);
      }
      procs[victim] = await restarting;
      const t0 = Date.now();
      await eventually(async () => {
        const st = await inboxState(d.t, events.map(inboxKey));
        expect(st.stored.size).toBe(events.length);
        expect(st.pending).toBe(0);
      }, 180_000);
      const outcome = await qualificationOutcome(d.t, mine.map((l) => l.id));
      expect(mine.filter((l) => outcome.statuses.get(l.id) !== 'qualified').length, `cycle ${cycle}: unqualified leads`).toBe(0);
      expect(mine.filter((l) => outcome.rewards.get(l.id) !== 1).length, `cycle ${cycle}: leads without exactly one reward`).toBe(0);
      expect(mine.filter((l) => outcome.audits.get(l.id) !== 1).length, `cycle ${cycle}: leads without exactly one audit event`).toBe(0);
      console.log(`cycle ${cycle}: killed process ${victim} after ${acked.size}/${batches.length} deliveries; ${failed.size} redelivered; all applied ${((Date.now() - t0) / 1000).toFixed(1)} s after the restart`);
    }
    // Nothing from earlier cycles changed since.
    const all = await qualificationOutcome(d.t, leads.map((l) => l.id));
    expect([...all.rewards.values()].every((n) => n === 1)).toBe(true);
    expect(all.rewards.size).toBe(leads.length);
    for (const p of procs) await p.stop();
  }, 900_000);
});

describe('repeated kill -9 of the worker in the middle of a sync page', () => {
  it('lets pg-boss’s heartbeat hand the sync to the next worker, which resumes from the checkpoint each time', async () => {
    // Long enough that every worker is killed with pages left beyond those it read ahead.
    const SIZE = LIST_PAGE * (READ_AHEAD + 1) * 3;
    const listId = d.emu.ui.createList(d.portalId, { name: 'Killed three times', processingType: 'MANUAL' });
    d.emu.generateContacts(d.portalId, SIZE, { addToList: { listId }, emailDomain: 'killed3.test' });
    const campaign = (await d.t.api('POST', '/api/v1/campaigns', { name: 'Three kills' })).body;
    // Slow member pages: a kill lands inside a page far more often than between two.
    d.emu.faults.set({ latencyMs: 700, path: `/crm/v3/lists/${listId}/memberships` });
    d.emu.requestLog.clear();
    let worker = await d.start('worker');
    const { run } = await startSync(d.t.ctx, { accountId: d.accountId, campaignId: campaign.id, connectionId: d.connection.id, source: { kind: 'list', id: String(listId), name: 'Killed three times' }, mode: 'once', actor: { type: 'user', source: 'admin', label: 'admin@acme.test' } });
    const runOf = async () => (await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]!;
    const checkpoints: number[] = [];
    for (const at of [0.2, 0.45, 0.7].map((f) => Math.round(SIZE * f))) {
      await eventually(async () => expect((await runOf()).done).toBeGreaterThanOrEqual(at), 240_000);
      // wait until a page is in flight, then kill
      await sleep(350);
      await worker.kill9();
      const r = await runOf();
      expect(r.state).toBe('running');
      checkpoints.push(r.done);
      const t0 = Date.now();
      worker = await d.start('worker');
      await eventually(async () => expect((await runOf()).done).toBeGreaterThan(r.done), 240_000);
      console.log(`killed at ${r.done}/${SIZE}; the next worker resumed after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    await eventually(async () => expect(await runOf()).toMatchObject({ state: 'completed', done: SIZE, total: SIZE, failed: 0 }), 240_000);
    const [{ n, distinct }] = (await d.t.ctx.db
      .select({ n: sql<number>`count(*)::int`, distinct: sql<number>`count(distinct ${participants.email})::int` })
      .from(participants)
      .where(eq(participants.campaignId, campaign.id))) as [{ n: number; distinct: number }];
    expect([n, distinct]).toEqual([SIZE, SIZE]);
    // Each page was read once, except pages a killed worker had read past its checkpoint (the one
    // it was enrolling and those read ahead), which the next worker reads again.
    const pages = d.emu.requestLog.entries({ path: `/crm/v3/lists/${listId}/memberships/join-order` });
    const byCursor = new Map<string, number>();
    for (const p of pages) byCursor.set(p.query, (byCursor.get(p.query) ?? 0) + 1);
    expect([...byCursor.values()].filter((c) => c > 1 + checkpoints.length)).toEqual([]);
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(SIZE / LIST_PAGE) + checkpoints.length * (READ_AHEAD + 1));
    d.emu.faults.clear();
    await worker.stop();
  }, 900_000);
});
