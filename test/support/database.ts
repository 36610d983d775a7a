import { inject } from 'vitest';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createDb, type Db } from '../../server/db/client.ts';
import { TEMPLATE_DB, withDatabase } from './global-setup.ts';

export interface TestDatabase {
  url: string;
  db: Db;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/** A private database cloned from the migrated template: real PostgreSQL, isolated per caller. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `refcard_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Two clones of one template at the same instant can collide; a short retry settles it.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const { db, client, close } = createDb(url);
  return { url, db, sql: client, close };
}

/**
 * Makes PostgreSQL refuse every change to one participant (as a constraint would, SQLSTATE 23514)
 * until the returned function is called: a poison event that fails the same way every time.
 */
export async function refuseChangesTo(db: Db, participantId: string): Promise<() => Promise<void>> {
  await db.execute(sql.raw(`create function refuse_stuck() returns trigger language plpgsql as $$ begin raise exception 'no change to this lead is allowed' using errcode = '23514'; end $$`));
  await db.execute(sql.raw(`create trigger refuse_stuck before update on participants for each row when (old.id = '${participantId}') execute function refuse_stuck()`));
  return async () => {
    await db.execute(sql.raw(`drop trigger if exists refuse_stuck on participants; drop function if exists refuse_stuck()`));
  };
}
