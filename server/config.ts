import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

// Settings come from the environment only (contract.md "Settings"); everything has a default that
// makes `npm start` work on a fresh machine, except ENCRYPTION_KEY in production.
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1024).max(65535).default(55432),
  ENCRYPTION_KEY: z.string().optional(),
  NODE_ENV: z.string().default('development'),
  HUBSPOT_CLIENT_ID: z.string().optional(),
  HUBSPOT_CLIENT_SECRET: z.string().optional(),
  HUBSPOT_APP_ID: z.coerce.number().int().optional(),
  HUBSPOT_API_BASE: z.url().default('https://api.hubapi.com'),
  HUBSPOT_AUTH_BASE: z.url().default('https://app.hubspot.com'),
  INTERCOM_CLIENT_ID: z.string().optional(),
  INTERCOM_CLIENT_SECRET: z.string().optional(),
  INTERCOM_API_BASE: z.url().default('https://api.intercom.io'),
  INTERCOM_AUTH_BASE: z.url().default('https://app.intercom.com'),
  RUN_WORKERS: boolish.default(true),
  TRUST_PROXY: boolish.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface HubspotAppConfig {
  clientId: string;
  clientSecret: string;
  appId: number;
  apiBase: string;
  authBase: string;
}

export interface IntercomAppConfig {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  authBase: string;
}

export interface Config {
  port: number;
  publicUrl: string;
  databaseUrl: string | null;
  dataDir: string;
  /** port of the embedded PostgreSQL when DATABASE_URL is unset; fixed so a restart finds the same cluster */
  embeddedPostgresPort: number;
  encryptionKey: Buffer;
  production: boolean;
  hubspot: HubspotAppConfig | null;
  intercom: IntercomAppConfig | null;
  /** no HubSpot or Intercom credentials: emulators and a demo account are started in-process */
  sandbox: boolean;
  runWorkers: boolean;
  /** behind a reverse proxy: take the client address from X-Forwarded-For's last hop */
  trustProxy: boolean;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid settings:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = resolve(e.DATA_DIR);
  const hubspot =
    e.HUBSPOT_CLIENT_ID && e.HUBSPOT_CLIENT_SECRET
      ? {
          clientId: e.HUBSPOT_CLIENT_ID,
          clientSecret: e.HUBSPOT_CLIENT_SECRET,
          appId: e.HUBSPOT_APP_ID ?? 0,
          apiBase: trimSlash(e.HUBSPOT_API_BASE),
          authBase: trimSlash(e.HUBSPOT_AUTH_BASE),
        }
      : null;
  const intercom =
    e.INTERCOM_CLIENT_ID && e.INTERCOM_CLIENT_SECRET
      ? {
          clientId: e.INTERCOM_CLIENT_ID,
          clientSecret: e.INTERCOM_CLIENT_SECRET,
          apiBase: trimSlash(e.INTERCOM_API_BASE),
          authBase: trimSlash(e.INTERCOM_AUTH_BASE),
        }
      : null;
  return {
    port: e.PORT,
    publicUrl: trimSlash(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`),
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    encryptionKey: resolveEncryptionKey(e.ENCRYPTION_KEY, production, dataDir),
    production,
    hubspot,
    intercom,
    sandbox: !hubspot && !intercom,
    runWorkers: e.RUN_WORKERS,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  };
}

function resolveEncryptionKey(raw: string | undefined, production: boolean, dataDir: string): Buffer {
  if (raw) {
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32) throw new ConfigError('ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    return key;
  }
  if (production) throw new ConfigError('ENCRYPTION_KEY is required in production');
  // Development: one key generated once and kept beside the embedded database, so tokens stored
  // in a previous run can still be decrypted after a restart.
  const file = resolve(dataDir, 'encryption.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');
