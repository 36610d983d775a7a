import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { startEmbeddedPostgres, freePort } from '../../server/db/embedded.ts';
import { runMigrations } from '../../server/db/migrate.ts';
import { createDb } from '../../server/db/client.ts';
import { startJobs } from '../../server/jobs/jobs.ts';
import { loadConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { createHubspotEmulator, type HubspotEmulator } from '../../test/emulators/hubspot/index.ts';
import { createIntercomEmulator, type IntercomEmulator } from '../../test/emulators/intercom/index.ts';
import { readFileSync } from 'node:fs';

export const BENCH_DIR = resolve('bench');
// One directory per run, so two runs on one machine never share a database.
const TMP = join(BENCH_DIR, '.tmp', String(process.pid));

export interface BenchEnv {
  databaseUrl: string;
  env: Record<string, string>;
  ctx: AppContext;
  hubspot: HubspotEmulator;
  intercom: IntercomEmulator;
  hubspotApp: { appId: number; clientId: string; clientSecret: string };
  intercomApp: { clientId: string; clientSecret: string };
  portalId: number;
  workspaceId: string;
  /** the statements PostgreSQL spent most time on since the last call (BENCH_QUERIES=1), as lines */
  topStatements(): Promise<string[]>;
  /** start a server process (web, workers or both) against the shared database */
  startServer(opts?: { port?: number; workers?: boolean; web?: boolean }): Promise<ServerProcess>;
  close(): Promise<void>;
}

export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  readyMs: number;
  rssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Everything a benchmark needs on this machine and nothing beyond it: a throwaway PostgreSQL, both
 * emulators listening on 127.0.0.1 with HubSpot's real rate limits, and Refcard servers as separate
 * processes (the load generator must not share their event loop).
 */
export async function startBenchEnv(): Promise<BenchEnv> {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  chmodSync(TMP, 0o755);
  chmodSync(dirname(TMP), 0o755);
  // BENCH_QUERIES=1 prints, after each scenario, the statements PostgreSQL spent most time on.
  const statements = Boolean(process.env.BENCH_QUERIES);
  const pg = await startEmbeddedPostgres({ dir: join(TMP, 'pg'), persistent: false, settings: statements ? { shared_preload_libraries: 'pg_stat_statements' } : {} });
  const databaseUrl = pg.url('postgres');
  await runMigrations(databaseUrl);

  const serverPort = await freePort();
  const publicUrl = `http://127.0.0.1:${serverPort}`;
  const hubspotApp = { appId: 777_001, clientId: 'bench-hs-client', clientSecret: randomBytes(16).toString('hex') };
  const intercomApp = { clientId: 'bench-ic-client', clientSecret: randomBytes(16).toString('hex') };
  const hubspot = createHubspotEmulator({ logRequests: true });
  const hubspotBase = await hubspot.listen(0);
  const meta = JSON.parse(readFileSync('hubspot-app/src/app/webhooks/webhooks-hsmeta.json', 'utf8'));
  const appMeta = JSON.parse(readFileSync('hubspot-app/src/app/app-hsmeta.json', 'utf8'));
  hubspot.registerApp({
    ...hubspotApp,
    redirectUrls: [`${publicUrl}/oauth/hubspot/callback`],
    scopes: appMeta.config.auth.requiredScopes,
    permittedFetchOrigins: [publicUrl],
    webhooks: { targetUrl: `${publicUrl}/hubspot/webhooks`, maxConcurrentRequests: 10, subscriptions: meta.config.subscriptions },
  });
  const portal = hubspot.createPortal({ users: [{ email: 'admin@bench.test' }] });
  const intercom = createIntercomEmulator({});
  const intercomBase = await intercom.listen(0);
  intercom.registerApp({ ...intercomApp, redirectUrls: [`${publicUrl}/oauth/intercom/callback`] });
  const ws = intercom.createWorkspace({ name: 'Bench workspace' });

  const env: Record<string, string> = {
    // Development mode only so local receivers may be plain http; everything else is as in production.
    NODE_ENV: 'development',
    PORT: String(serverPort),
    PUBLIC_URL: publicUrl,
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: join(TMP, 'data'),
    LOG_LEVEL: 'warn',
    HUBSPOT_CLIENT_ID: hubspotApp.clientId,
    HUBSPOT_CLIENT_SECRET: hubspotApp.clientSecret,
    HUBSPOT_APP_ID: String(hubspotApp.appId),
    HUBSPOT_API_BASE: hubspotBase,
    HUBSPOT_AUTH_BASE: hubspotBase,
    INTERCOM_CLIENT_ID: intercomApp.clientId,
    INTERCOM_CLIENT_SECRET: intercomApp.clientSecret,
    INTERCOM_API_BASE: intercomBase,
    INTERCOM_AUTH_BASE: intercomBase,
  };
  const config = loadConfig(env);
  const { db, close: closeDb } = createDb(databaseUrl, { max: 8 });
  const log = pino({ level: 'silent' });
  // The bench writes seed data and starts syncs itself; the servers' workers do the work.
  const jobs = await startJobs(databaseUrl, log, { max: 2 });
  const ctx: AppContext = { config, db, reads: db, jobs, log, now: () => new Date() };
  const servers: ServerProcess[] = [];

  return {
    databaseUrl,
    env,
    ctx,
    hubspot,
    intercom,
    hubspotApp,
    intercomApp,
    portalId: portal.portalId,
    workspaceId: ws.idCode,
    async topStatements() {
      if (!statements) return [];
      await db.execute(sql`create extension if not exists pg_stat_statements`);
      const rows = (await db.execute(sql`
        select calls, round(total_exec_time::numeric, 0) as total_ms, round(mean_exec_time::numeric, 3) as mean_ms, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 160) as query
        from pg_stat_statements order by total_exec_time desc limit 12`)) as unknown as { calls: number; total_ms: string; mean_ms: string; query: string }[];
      await db.execute(sql`select pg_stat_statements_reset()`);
      return rows.map((r) => `${String(r.total_ms).padStart(8)} ms ${String(r.calls).padStart(8)} calls ${String(r.mean_ms).padStart(8)} ms/call  ${r.query}`);
    },
    async startServer(opts = {}) {
      const port = opts.port ?? serverPort;
      const web = opts.web ?? true;
      const script = web ? 'server/main.ts' : 'server/worker-main.ts';
      const t0 = performance.now();
      // BENCH_PROFILE=<dir> writes a CPU profile of every server process there when it stops.
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : [];
      const proc = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
        env: { ...process.env, ...env, PORT: String(port), RUN_WORKERS: String(opts.workers ?? true) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      const marker = web ? 'Refcard is ready' : 'Refcard worker ready';
      while (!out.includes(marker)) {
        if (proc.exitCode !== null) throw new Error(`server exited:\n${out}`);
        if (performance.now() - t0 > 60_000) throw new Error(`server did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const s: ServerProcess = {
        url: `http://127.0.0.1:${port}`,
        port,
        proc,
        readyMs: performance.now() - t0,
        rssMb: () => rssOf(proc.pid!),
        async stop(signal = 'SIGTERM') {
          if (proc.exitCode !== null) return;
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill(signal);
          await exited;
        },
      };
      servers.push(s);
      return s;
    },
    async close() {
      for (const s of servers) await s.stop().catch(() => {});
      await jobs.stop();
      await closeDb();
      await hubspot.close();
      await intercom.close();
      await pg.stop();
      rmSync(TMP, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process and its children, in MB. */
function rssOf(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
    } catch {
      /* process gone */
    }
  };
  visit(pid);
  return total;
}

export { freePort };
