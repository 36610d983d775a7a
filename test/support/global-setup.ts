import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { runMigrations } from '../../server/db/migrate.ts';
import { PgBoss } from 'pg-boss';
import { BOSS_SCHEMA } from '../../server/jobs/jobs.ts';
import { keepIntendedExitCode } from '../../server/db/exit-code.ts';

keepIntendedExitCode();

export const TEMPLATE_DB = 'refcard_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: the embedded PostgreSQL 18 unless DATABASE_URL names a server
 * (CI's PostgreSQL 15 leg). A migrated template database is built once; each test file clones it,
 * which takes milliseconds and keeps files isolated from one another.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  if (!adminUrl) {
    tmp = mkdtempSync(join(process.cwd(), '.data', 'test-pg-'));
    const pg = await startEmbeddedPostgres({ dir: join(tmp, 'data'), persistent: false });
    adminUrl = pg.url('postgres');
    stop = pg.stop;
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const [{ version }] = await admin`select current_setting('server_version') as version`;
  console.log(`test database: PostgreSQL ${version}${process.env.DATABASE_URL ? ' (DATABASE_URL)' : ' (embedded)'}`);
  await dropTestDatabases(admin);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  await runMigrations(templateUrl);
  // Install the job system's schema into the template too, so no test file pays for it.
  const boss = new PgBoss({ connectionString: templateUrl, schema: BOSS_SCHEMA, max: 2 });
  await boss.start();
  await boss.stop({ graceful: false, timeout: 1000 });
  await admin.end();
  project.provide('pgAdminUrl', adminUrl);

  return async () => {
    const a = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await dropTestDatabases(a).catch(() => {});
    await a.end();
    await stop?.();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
}

async function dropTestDatabases(admin: postgres.Sql) {
  const rows = await admin`select datname from pg_database where datname like 'refcard_t_%' or datname = ${TEMPLATE_DB}`;
  for (const r of rows) await admin.unsafe(`drop database if exists "${r.datname}" with (force)`);
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
