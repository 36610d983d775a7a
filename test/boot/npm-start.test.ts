import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort, sizedForThisMachine } from '../../server/db/embedded.ts';

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

const sandboxFile = () => JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8'));

describe('npm start on a fresh machine', () => {
  it('serves /healthz on the embedded database and keeps the data across a stop and restart, in a sandbox that stays the same', async () => {
    const port = await freePort();
    const pgPort = await freePort();
    child = await start(port, pgPort);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
    await sql`insert into accounts (name) values ('survives restarts')`;
    // sized for this machine, not PostgreSQL's stock 128 MB
    const [buffers] = await sql`select current_setting('shared_buffers') as now, pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes(${sizedForThisMachine().shared_buffers!}) as sized`;
    expect(buffers, `shared_buffers ${buffers!.now}`).toMatchObject({ sized: true });
    await sql.end();
    // No HubSpot/Intercom credentials: sandbox mode, with a demo account already connected.
    const first = sandboxFile();
    expect(first.hubspot.portalId).toBeGreaterThan(0);
    const campaigns = await fetch(`http://127.0.0.1:${port}/api/v1/campaigns`, { headers: { authorization: `Bearer ${first.account.apiKey}` } });
    expect(campaigns.status).toBe(200);
    expect((await campaigns.json()).data.map((c: { id: string }) => c.id)).toContain(first.campaign.id);
    expect((await fetch(`http://127.0.0.1:${port}/sandbox`)).status).toBe(200);
    await stop(child);

    child = await start(port, pgPort);
    const again = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
    const rows = await again`select name from accounts where name = 'survives restarts'`;
    await again.end();
    expect(rows).toHaveLength(1);
    // The same demo account, key, portal, workspace and app credentials after the restart.
    const second = sandboxFile();
    expect(second.account).toEqual(first.account);
    expect(second.campaign).toEqual(first.campaign);
    expect({ ...second.hubspot, apiBase: 0, authBase: 0, accessToken: 0 }).toEqual({ ...first.hubspot, apiBase: 0, authBase: 0, accessToken: 0 });
    expect(second.intercom.workspaceId).toBe(first.intercom.workspaceId);
    const again2 = await fetch(`http://127.0.0.1:${port}/api/v1/campaigns`, { headers: { authorization: `Bearer ${second.account.apiKey}` } });
    expect(again2.status).toBe(200);
    await stop(child);
  }, 120_000);
});

describe('the embedded database on machines of different sizes', () => {
  it('gives it a quarter of the memory for its buffers, never under 128 MB nor over 4 GB', () => {
    const GB = 2 ** 30;
    expect(sizedForThisMachine(8 * GB).shared_buffers).toBe('2048MB');
    expect(sizedForThisMachine(256 * 2 ** 20).shared_buffers).toBe('128MB');
    expect(sizedForThisMachine(64 * GB).shared_buffers).toBe('4096MB');
    expect(sizedForThisMachine(8 * GB).effective_cache_size).toBe('4096MB');
  });
});
