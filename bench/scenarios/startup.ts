import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { result, type BenchResult } from '../lib/results.ts';
import { BENCH_DIR, freePort, type BenchEnv } from '../lib/env.ts';

/** `npm start` to ready on an existing data directory (embedded PostgreSQL already initialised). */
export async function startup(env: BenchEnv): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(BENCH_DIR, '.tmp', 'startup-'));
  chmodSync(dataDir, 0o755);
  const pgPort = String(await freePort());
  const port = await freePort();
  const saved = { ...env.env };
  Object.assign(env.env, { DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: pgPort });
  try {
    const first = await env.startServer({ port });
    await first.stop();
    const second = await env.startServer({ port });
    await second.stop();
    return [result('startup.ms', second.readyMs, 'ms', '< 5000', `first start on an empty directory: ${Math.round(first.readyMs)} ms`)];
  } finally {
    Object.assign(env.env, saved);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
