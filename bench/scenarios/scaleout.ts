import { createServer } from 'node:http';
import { prebuilt, runLoad } from '../lib/load.ts';
import { measuringCpu, percentBusy } from '../lib/cpu.ts';
import { result, type BenchResult } from '../lib/results.ts';
import { freePort, type BenchEnv, type ServerProcess } from '../lib/env.ts';
import type { SeededProgram } from '../lib/seed.ts';
import { cardRequest, PREBUILT } from './read-paths.ts';
import { webhookBatch } from './webhook-ingest.ts';
import { startSync } from '../../server/program/syncs.ts';
import { systemActor } from '../../server/program/actor.ts';
import { inArray } from 'drizzle-orm';
import { syncRuns } from '../../server/db/schema.ts';

async function split(servers: ServerProcess[], connections: number, seconds: number, request: (i: number) => { method: string; path: string }) {
  const parts = await Promise.all(servers.map((s, k) => runLoad({ url: s.url, connections: connections / servers.length, seconds, warmupSeconds: 1, request: (i) => request(i * servers.length + k) })));
  return { rps: parts.reduce((n, p) => n + p.rps, 0), ok: parts.reduce((n, p) => n + (p.statuses[200] ?? 0), 0), seconds: Math.max(...parts.map((p) => p.seconds)) } as const;
}

/**
 * Two web and two worker processes on one PostgreSQL, against one of each: no job runs twice, the per-portal HubSpot
 * budget still holds across processes, and what card and webhook throughput the second web
 * process adds on this machine.
 */
export async function scaleOut(env: BenchEnv, single: { web: ServerProcess; worker: ServerProcess }, seeded: SeededProgram): Promise<BenchResult[]> {
  const oneCards = prebuilt(PREBUILT, (i) => cardRequest(env, seeded, i));
  const one = { card: await measuringCpu(() => runLoad({ url: single.web.url, connections: 50, seconds: 8, warmupSeconds: 1, request: oneCards })), hooks: await measuringCpu(() => runLoad({ url: single.web.url, connections: 10, seconds: 8, request: (i) => webhookBatch(env, seeded, i, 20_000_000) })) };
  await single.web.stop();
  await single.worker.stop();
  const webs = [await env.startServer({ port: await freePort(), workers: false }), await env.startServer({ port: await freePort(), workers: false })];
  const workers = [await env.startServer({ web: false }), await env.startServer({ web: false })];
  try {
    const cards = prebuilt(PREBUILT, (i) => cardRequest(env, seeded, i));
    const card = await measuringCpu(() => split(webs, 50, 8, cards));
    const hooks = await measuringCpu(() => split(webs, 10, 8, (i) => webhookBatch(env, seeded, i, 30_000_000)));

    // Outbound deliveries as a witness of job exclusivity: each event must arrive exactly once.
    const seen = new Map<string, number>();
    const receiver = createServer((req, res) => {
      const id = String(req.headers['refcard-event-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      req.resume();
      res.end('ok');
    });
    const port = await freePort();
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    await post(webs[0]!, seeded, '/webhook-endpoints', { url: `http://127.0.0.1:${port}/hook`, events: ['referrer.created'] });
    const N = 400;
    await Promise.all(Array.from({ length: N }, (_, i) => post(webs[i % 2]!, seeded, '/referrers', { campaign_id: seeded.campaignId, email: `scale-${i}@bench.test` })));
    const t0 = performance.now();
    while (seen.size < N && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0) + (N - seen.size);
    receiver.close();

    // Two syncs of one portal at once, run by two workers: HubSpot must never answer 429.
    env.hubspot.requestLog.clear();
    const runs: string[] = [];
    for (const label of ['Scale list A', 'Scale list B']) {
      const listId = env.hubspot.ui.createList(env.portalId, { name: label, processingType: 'MANUAL' });
      env.hubspot.generateContacts(env.portalId, 3000, { emailDomain: `${label.replace(/\W/g, '').toLowerCase()}.bench.test`, addToList: { listId, every: 1 } });
      runs.push((await startSync(env.ctx, { accountId: seeded.accountId, campaignId: seeded.campaignId, connectionId: seeded.hubspotConnectionId, source: { kind: 'list', id: String(listId), name: label }, mode: 'once', actor: systemActor('sync') })).run.id);
    }
    const s0 = performance.now();
    for (;;) {
      const rows = await env.ctx.db.select({ state: syncRuns.state }).from(syncRuns).where(inArray(syncRuns.id, runs));
      if (rows.every((r) => r.state === 'completed' || r.state === 'failed')) break;
      if (performance.now() - s0 > 300_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const throttled = env.hubspot.requestLog.entries().filter((e) => e.status === 429).length;
    return [
      result('scaleout.duplicate_jobs', duplicates, 'jobs', '== 0', `${N} events delivered by 2 workers, ${seen.size} distinct`),
      result('scaleout.rate_limit_violations', throttled, '429s', '== 0', `2 syncs × 3,000 contacts on one portal, 2 workers, ${env.hubspot.requestLog.count()} calls`),
      result('scaleout.card_rps_gain', card.rps / one.card.rps, 'ratio', '> 1', `${Math.round(one.card.rps)} → ${Math.round(card.rps)} req/s on ${cores()} cores; one web process: ${percentBusy(one.card.cpuBusy)}, two: ${percentBusy(card.cpuBusy)}`),
      result('scaleout.webhook_events_per_s_gain', hooks.ok / hooks.seconds / (((one.hooks.statuses[200] ?? 0)) / one.hooks.seconds), 'ratio', '> 1', `${Math.round(((one.hooks.statuses[200] ?? 0) * 100) / one.hooks.seconds)} → ${Math.round((hooks.ok * 100) / hooks.seconds)} ev/s; one web process: ${percentBusy(one.hooks.cpuBusy)}, two: ${percentBusy(hooks.cpuBusy)}`),
    ];
  } finally {
    for (const s of [...webs, ...workers]) await s.stop();
  }
}

async function post(server: ServerProcess, seeded: SeededProgram, path: string, body: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${seeded.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const cores = () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
