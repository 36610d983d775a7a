import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/app.ts';
import { chunks, deliver, inboxKey, inboxState, qualificationOutcome, qualifyingEvents, seedLeads, shuffled, startHubspotDrill, type HubspotDrill, type QualifyEvent } from './support/hubspot-drill.ts';
import type { RefcardProcess } from './support/processes.ts';

// kill -9 of the web server while HubSpot is delivering a burst of webhooks. HubSpot counts a
// delivery as done only on a 200 and redelivers everything else; Refcard stores events before it
// answers. So: every acknowledged event must be in the inbox the moment the server dies, and after
// a restart and HubSpot's redeliveries (some of them of batches already acknowledged), every lead
// is qualified exactly once — one reward, one audit event — however many events said so.

let d: HubspotDrill;
let worker: RefcardProcess;

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: false });
  // The web process only receives; a separate worker process applies (RUN_WORKERS=false on the web).
  worker = await d.start('worker');
}, 120_000);
afterAll(() => d?.stop());

describe('kill -9 of the web server in the middle of a webhook burst', () => {
  it('keeps every acknowledged event and, after restart and redelivery, applies each exactly once in effect', async () => {
    const { leads } = await seedLeads(d, 240, 'burst');
    // Three "became a customer" events per lead (and one unrelated change), shuffled, 25 per delivery.
    const events = shuffled(qualifyingEvents(d, leads, 3, 1_000_000));
    const batches = chunks(events, 25);
    expect(batches.length).toBeGreaterThanOrEqual(35);

    let web = await d.start('web', { workers: false });
    const acked = new Set<number>();
    const refused = new Set<number>();
    const KILL_AT = 12;
    let killing: Promise<void> | null = null;
    let next = 0;
    const sender = async () => {
      for (;;) {
        const i = next++;
        if (i >= batches.length) return;
        if (await deliver(d, web.url, batches[i]!)) {
          acked.add(i);
          // The kill lands while other deliveries are in flight.
          if (acked.size === KILL_AT && !killing) killing = web.kill9();
        } else refused.add(i);
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await killing;
    expect(web.alive()).toBe(false);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AT);
    expect(refused.size, 'the kill came in the middle of the burst').toBeGreaterThan(0);

    // Every event the dead server acknowledged is in PostgreSQL.
    const ackedKeys = [...acked].flatMap((i) => batches[i]!.map(inboxKey));
    const afterKill = await inboxState(d.t, ackedKeys);
    expect(ackedKeys.filter((k) => !afterKill.stored.has(k))).toEqual([]);

    // HubSpot redelivers what was not acknowledged, and (at-least-once) a few batches that were.
    web = await d.start('web', { workers: false });
    const redeliver = [...refused, ...[...acked].slice(0, 3)];
    for (const i of redeliver) {
      const again = batches[i]!.map((e): QualifyEvent => ({ ...e, attemptNumber: e.attemptNumber + 1 }));
      let ok = false;
      for (let attempt = 0; attempt < 10 && !ok; attempt++) {
        ok = await deliver(d, web.url, again);
        if (!ok) await new Promise((r) => setTimeout(r, 300));
      }
      expect(ok, `batch ${i} redelivered`).toBe(true);
    }

    const allKeys = events.map(inboxKey);
    await eventually(async () => {
      const s = await inboxState(d.t, allKeys);
      expect(s.stored.size).toBe(new Set(allKeys).size);
      expect(s.pending).toBe(0);
    }, 90_000);

    const outcome = await qualificationOutcome(d.t, leads.map((l) => l.id));
    expect([...outcome.statuses.values()].filter((s) => s !== 'qualified')).toEqual([]);
    expect(leads.filter((l) => outcome.rewards.get(l.id) !== 1).map((l) => [l.email, outcome.rewards.get(l.id) ?? 0])).toEqual([]);
    expect(leads.filter((l) => outcome.audits.get(l.id) !== 1).map((l) => [l.email, outcome.audits.get(l.id) ?? 0])).toEqual([]);
    expect(worker.alive()).toBe(true);
    console.log(`kill -9 after ${acked.size} of ${batches.length} deliveries acknowledged; ${refused.size} redelivered, ${redeliver.length - refused.size} acknowledged ones redelivered as duplicates`);
  }, 150_000);
});
