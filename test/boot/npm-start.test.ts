import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '../../server/db/embedded.ts';

const dataDir = mkdtempSync(join(process.cwd(), '.data', 'npm-start-'));
chmodSync(dataDir, 0o755);
let child: ChildProcess | undefined;

async function start(port: number, pgPort: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['node_modules/.bin/tsx', 'server/main.ts'], {
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(pgPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 45_000;
  while (!out.includes('Refcard is ready')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc;
}

async function stop(proc: ChildProcess) {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  if (child && child.exitCode === null) await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh machine', () => {
  it('serves /healthz on the embedded database and keeps the data across a stop and restart', async () => {
    const port = await freePort();
    const pgPort = await freePort();
    child = await start(port, pgPort);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
    await sql`insert into accounts (name) values ('survives restarts')`;
    await sql.end();
    await stop(child);

    child = await start(port, pgPort);
    const again = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
    const rows = await again`select name from accounts where name = 'survives restarts'`;
    await again.end();
    expect(rows).toHaveLength(1);
    await stop(child);
  }, 120_000);
});
