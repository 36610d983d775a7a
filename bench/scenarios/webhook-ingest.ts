import { sql } from 'drizzle-orm';
import { runLoad, runPaced } from '../lib/load.ts';
import { result, type BenchResult } from '../lib/results.ts';
import { hubspotV3Signature } from '../../server/platform/signatures.ts';
import type { BenchEnv, ServerProcess } from '../lib/env.ts';
import type { SeededProgram } from '../lib/seed.ts';

const BATCH = 100;
const TARGET_EVENTS_PER_S = 5000;

/** One signed 100-event HubSpot delivery, every event unique. */
export function webhookBatch(env: BenchEnv, seeded: SeededProgram, batchNo: number, base = 0) {
  const now = Date.now();
  const events = Array.from({ length: BATCH }, (_, k) => {
    const id = base + batchNo * BATCH + k + 1;
    return {
      eventId: id,
      subscriptionId: 1,
      portalId: env.portalId,
      appId: env.hubspotApp.appId,
      occurredAt: now,
      subscriptionType: 'object.propertyChange',
      attemptNumber: 0,
      objectId: seeded.contactBase + 1 + (id % seeded.referrers),
      objectTypeId: '0-1',
      propertyName: 'hs_lead_status',
      propertyValue: `OPEN_${id}`,
      changeSource: 'CRM_UI',
      sourceId: 'userId:1',
    };
  });
  const body = JSON.stringify(events);
  const ts = String(now);
  const sig = hubspotV3Signature(env.hubspotApp.clientSecret, 'POST', `${env.env.PUBLIC_URL}/hubspot/webhooks`, body, ts);
  return { method: 'POST', path: '/hubspot/webhooks', body, headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts } };
}

const pending = async (env: BenchEnv) => Number((await env.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from webhook_inbox where processed_at is null`))[0]!.n);
const stored = async (env: BenchEnv) => Number((await env.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from webhook_inbox where provider = 'hubspot'`))[0]!.n);

/**
 * Acknowledgement latency at the target rate (5,000 events/s offered as HubSpot sends them: as they
 * happen, at most ten deliveries at once), then the sustained rate ten connections can push back
 * to back, then all of it applied and none lost. (A closed loop's latency is only concurrency
 * divided by throughput, so the two are measured apart.)
 */
export async function webhookIngest(env: BenchEnv, server: ServerProcess, seeded: SeededProgram): Promise<BenchResult[]> {
  const before = await stored(env);
  // Two seconds at the same rate first, as the read paths warm up: a server that has just started
  // compiles its webhook route under the first requests, which is not what HubSpot meets in steady state.
  const warmup = await runPaced({ url: server.url, connections: 10, perSecond: TARGET_EVENTS_PER_S / BATCH, seconds: 2, request: (i) => webhookBatch(env, seeded, i, 9_000_000) });
  const paced = await runPaced({ url: server.url, connections: 10, perSecond: TARGET_EVENTS_PER_S / BATCH, seconds: 10, request: (i) => webhookBatch(env, seeded, i, 10_000_000) });
  const flat = await runLoad({ url: server.url, connections: 10, seconds: 10, request: (i) => webhookBatch(env, seeded, i, 15_000_000) });
  const acked = ((warmup.statuses[200] ?? 0) + (paced.statuses[200] ?? 0) + (flat.statuses[200] ?? 0)) * BATCH;
  const t0 = performance.now();
  while ((await pending(env)) > 0 && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 250));
  const applySeconds = (performance.now() - t0) / 1000;
  const lost = acked - ((await stored(env)) - before);
  const left = await pending(env);
  return [
    result('webhook.ack_p99_ms', paced.p99, 'ms', '< 50', `at ${TARGET_EVENTS_PER_S} events/s offered: ${paced.requests} batches, p50 ${paced.p50.toFixed(1)} ms, ${paced.errors} refused`),
    result('webhook.events_per_s', ((flat.statuses[200] ?? 0) * BATCH) / flat.seconds, 'ev/s', '>= 5000', `10 connections back to back (ack p99 ${Math.round(flat.p99)} ms); all applied ${applySeconds.toFixed(1)} s after the last ack${left ? `, ${left} still pending` : ''}`),
    result('webhook.lost', lost + left, 'events', '== 0'),
  ];
}
