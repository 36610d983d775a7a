import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from './schema.ts';

export type Db = ReturnType<typeof createDb>['db'];
/** A transaction handle; every write path takes one so callers decide the transaction's extent. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the pool or a transaction: read helpers accept both. */
export type Queryable = Db | Tx;

export function createDb(url: string, opts: { max?: number } = {}) {
  const client = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // Bound every statement so no request can hang on a lock forever.
    connection: { statement_timeout: 30_000, idle_in_transaction_session_timeout: 60_000 },
  });
  const db = drizzle({ client, schema });
  return { db, client, close: () => client.end({ timeout: 5 }) };
}
