import { eq, sql } from 'drizzle-orm';
import { result, type BenchResult } from '../lib/results.ts';
import { syncRuns } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { systemActor } from '../../server/program/actor.ts';
import type { BenchEnv, ServerProcess } from '../lib/env.ts';
import type { SeededProgram } from '../lib/seed.ts';

const HUBSPOT_WINDOW = { max: 110, ms: 10_000 };

/** Time for `n` requests under a sliding window of `max` per `ms`: the first `max` go at once. */
export const rateBoundSeconds = (n: number) => (Math.max(0, Math.ceil(n / HUBSPOT_WINDOW.max) - 1) * HUBSPOT_WINDOW.ms) / 1000;

async function syncList(env: BenchEnv, seeded: SeededProgram, contacts: number, label: string) {
  const listId = env.hubspot.ui.createList(env.portalId, { name: label, processingType: 'MANUAL' });
  env.hubspot.generateContacts(env.portalId, contacts, { emailDomain: `${label.replace(/\W/g, '')}.bench.test`, addToList: { listId, every: 1 } });
  env.hubspot.requestLog.clear();
  const t0 = performance.now();
  const { run } = await startSync(env.ctx, { accountId: seeded.accountId, campaignId: seeded.campaignId, connectionId: seeded.hubspotConnectionId, source: { kind: 'list', id: String(listId), name: label }, mode: 'once', actor: systemActor('sync') });
  // Done means every contact is a referrer AND its link is written back to HubSpot.
  for (;;) {
    const [r] = await env.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    const [{ n }] = (await env.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from crm_push_queue where connection_id = ${seeded.hubspotConnectionId}`)) as unknown as [{ n: number }];
    if (r!.state === 'failed') throw new Error(`sync failed: ${JSON.stringify(r!.errors.slice(0, 3))}`);
    if (r!.state === 'completed' && n === 0) break;
    if (performance.now() - t0 > 900_000) throw new Error(`sync of ${contacts} did not finish in 15 minutes (${r!.done}/${r!.total}, ${n} pushes pending)`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const seconds = (performance.now() - t0) / 1000;
  const log = env.hubspot.requestLog.entries();
  return {
    seconds,
    requests: log.filter((e) => !/\/search$/.test(e.path)).length,
    searches: log.filter((e) => /\/search$/.test(e.path)).length,
    throttled: log.filter((e) => e.status === 429).length,
    listId,
  };
}

/** 10,000 contacts synced as referrers with links written back, against the bound HubSpot's limit allows. */
export async function syncThroughput(env: BenchEnv, server: ServerProcess, seeded: SeededProgram): Promise<BenchResult[]> {
  const s = await syncList(env, seeded, 10_000, 'Bench list 10k');
  const bound = Math.max(rateBoundSeconds(s.requests), s.searches / 5);
  const linked = env.hubspot.portal(env.portalId).contacts.filter((c) => c.properties.refcard_referral_link).length;
  const note = `${s.requests} API calls + ${s.searches} searches, ${s.throttled} answered 429; ${linked} contacts carry a link`;
  return [
    result('sync.seconds', s.seconds, 's', '> 0', note),
    result('sync.bound_seconds', bound, 's', '> 0'),
    result('sync.ratio_to_bound', s.seconds / bound, 'ratio', '<= 1.15'),
  ];
}

/** Memory of the worker process while syncing 100,000 contacts (rate limits off to keep the run short). */
export async function syncMemory(env: BenchEnv, worker: ServerProcess, seeded: SeededProgram): Promise<BenchResult[]> {
  env.hubspot.rateLimits.configure({ enabled: false });
  const before = worker.rssMb();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, worker.rssMb())), 250);
  const s = await syncList(env, seeded, 100_000, 'Bench list 100k');
  clearInterval(timer);
  env.hubspot.rateLimits.configure({ enabled: true });
  return [result('sync.rss_growth_mb_per_100k', peak - before, 'MB', '< 150', `${Math.round(before)} → peak ${Math.round(peak)} MB, ${s.seconds.toFixed(0)} s without rate limits`)];
}

