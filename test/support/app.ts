import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig, type Config } from '../../server/config.ts';
import { boot, type Booted } from '../../server/boot.ts';
import { createApp } from '../../server/app.ts';
import { createAccount, createApiKey } from '../../server/program/accounts.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import type { AppContext } from '../../server/context.ts';

export interface TestApp {
  ctx: AppContext;
  config: Config;
  database: TestDatabase;
  app: ReturnType<typeof createApp>;
  account: { id: string; apiKey: string };
  /** in-process request with the account's API key and JSON body */
  api: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any; headers: Headers }>;
  stop: () => Promise<void>;
}

// Each config's data directory goes when the test process does: a full run makes hundreds.
const dataDirs: string[] = [];
process.once('exit', () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'refcard-data-'));
  dataDirs.push(dataDir);
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'http://refcard.test',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A real app on its own cloned database, with an account and API key. Workers run unless told not to. */
export async function startTestApp(opts: { workers?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(opts.env);
  const booted: Booted = await boot(config, { workers: opts.workers ?? true, databaseUrl: database.url, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), poolMax: 5 });
  const app = createApp(booted.ctx);
  const acct = await createAccount(booted.ctx.db, 'Acme Test');
  const key = await createApiKey(booted.ctx.db, acct.id, 'test key');
  const api: TestApp['api'] = async (method, path, body, headers = {}) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${key.key}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ctx: booted.ctx,
    config,
    database,
    app,
    account: { id: acct.id, apiKey: key.key },
    api,
    async stop() {
      await booted.stop();
      await database.close();
    },
  };
}

/** Polls until `check` stops throwing (jobs run asynchronously). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
