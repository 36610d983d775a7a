import { startBenchEnv, BENCH_DIR } from './lib/env.ts';
import { seedProgram } from './lib/seed.ts';
import { printTable, writeResults, type BenchResult } from './lib/results.ts';
import { readPaths } from './scenarios/read-paths.ts';
import { webhookIngest } from './scenarios/webhook-ingest.ts';
import { syncMemory, syncThroughput } from './scenarios/sync.ts';
import { qualifyLatency } from './scenarios/qualify-latency.ts';
import { startup } from './scenarios/startup.ts';
import { scaleOut } from './scenarios/scaleout.ts';

// `npm run bench`: every figure with its target, measured in one run on this machine, printed as a
// table and written to bench/results.json and bench/RESULTS.md. Sizes can be lowered for a quick
// look (BENCH_REFERRERS, BENCH_LEADS); the recorded results use the defaults.
const REFERRERS = Number(process.env.BENCH_REFERRERS ?? 100_000);
const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const ONLY = process.argv.slice(2);

async function main() {
  const env = await startBenchEnv();
  currentEnv = env;
  const results: BenchResult[] = [];
  const want = (name: string) => ONLY.length === 0 || ONLY.includes(name);
  try {
    const t0 = performance.now();
    const { code } = env.hubspot.installApp(env.hubspotApp.appId, env.portalId, { redirectUri: `${env.env.PUBLIC_URL}/oauth/hubspot/callback` });
    const ic = env.intercom.installApp(env.intercomApp.clientId, env.workspaceId).accessToken;
    const seeded = await seedProgram(env.ctx, { referrers: REFERRERS, leads: LEADS, workspaceId: env.workspaceId, hubspotCode: code, intercomToken: ic });
    await env.topStatements(); // (the seed's statements are not of interest)
    console.log(`seeded ${REFERRERS.toLocaleString()} referrers and ${LEADS.toLocaleString()} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (want('startup')) results.push(...(await step('startup', () => startup(env))));
    // As in production: a web process answering HubSpot and Intercom, and a worker process applying
    // what they store (in one process, the workers' batches would hold up the web's event loop).
    const server = await env.startServer({ workers: false });
    const worker = await env.startServer({ web: false });
    if (want('read')) results.push(...(await step('card and canvas', () => readPaths(env, server, seeded))));
    if (want('webhooks')) results.push(...(await step('webhook ingest', () => webhookIngest(env, server, seeded))));
    if (want('qualify')) results.push(...(await step('qualification latency', () => qualifyLatency(env, server, seeded))));
    if (want('sync')) results.push(...(await step('sync throughput', () => syncThroughput(env, server, seeded))));
    if (want('memory')) results.push(...(await step('sync memory', () => syncMemory(env, worker, seeded))));
    if (want('scaleout')) results.push(...(await step('scale-out', () => scaleOut(env, { web: server, worker }, seeded))));
  } finally {
    await env.close();
  }
  printTable(results);
  if (ONLY.length === 0) writeResults(results, BENCH_DIR);
  const failed = results.filter((r) => !r.pass).length;
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
}

let currentEnv: Awaited<ReturnType<typeof startBenchEnv>> | undefined;

/** One scenario; if it breaks, that is a recorded failure and the others still run. */
async function step(name: string, fn: () => Promise<BenchResult[]>): Promise<BenchResult[]> {
  const t0 = performance.now();
  process.stdout.write(`→ ${name} … `);
  try {
    const r = await fn();
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const line of await currentEnv!.topStatements()) console.log(`    ${line}`);
    return r;
  } catch (err) {
    console.log(`failed: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ""}`);
    return [{ id: `${name.replace(/\W+/g, '_')}.error`, value: NaN, unit: '', target: 'runs', pass: false, note: String((err as Error).message).slice(0, 200) }];
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
