import { and, asc, eq, getTableColumns, gte, lt, lte, sql } from 'drizzle-orm';
import { crmPushQueue } from '../db/schema.ts';
import type { AppContext } from '../context.ts';

// The HubSpot side of crm_push_queue: which rows a push takes, and what it leaves behind.

export const MAX_PUSH_ATTEMPTS = 5;
/** Rows taken at once: four full batch writes. */
export const ROWS_AT_ONCE = 400;

export interface Sweep {
  /** database time: rows dirtied later wait for the next sweep or run */
  upTo: string;
  /** database time: only rows dirtied from then on (the card's own changes) */
  since?: string;
  /** rows that failed before are retried by a run's first sweep only: no hot retry loop */
  failedToo: boolean;
}

export type QueuedRow = typeof crmPushQueue.$inferSelect & { at: string };

export type Outcome = { kind: 'done'; note?: string } | { kind: 'failed'; message: string };

/**
 * The next rows of a sweep, oldest first, after `after` (the last row of the batch before): rows
 * still being written are never taken twice. Null when the sweep is through.
 */
export async function dirtyRows(ctx: AppContext, connectionId: string, sweep: Sweep, after?: QueuedRow): Promise<QueuedRow[] | null> {
  const rows = await ctx.db
    // dirty_at as text keeps its microseconds, which a cursor needs
    .select({ ...getTableColumns(crmPushQueue), at: sql<string>`${crmPushQueue.dirtyAt}::text` })
    .from(crmPushQueue)
    .where(
      and(
        eq(crmPushQueue.connectionId, connectionId),
        lte(crmPushQueue.dirtyAt, sql`${sweep.upTo}::timestamptz`),
        sweep.since ? gte(crmPushQueue.dirtyAt, sql`${sweep.since}::timestamptz`) : undefined,
        sweep.failedToo ? lt(crmPushQueue.attempts, MAX_PUSH_ATTEMPTS) : eq(crmPushQueue.attempts, 0),
        // (the plain bound lets the dirty_at index start at the cursor)
        after ? gte(crmPushQueue.dirtyAt, sql`${after.at}::timestamptz`) : undefined,
        after ? sql`(${crmPushQueue.dirtyAt}, ${crmPushQueue.participantId}) > (${after.at}::timestamptz, ${after.participantId}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(crmPushQueue.dirtyAt), asc(crmPushQueue.participantId))
    .limit(ROWS_AT_ONCE);
  return rows.length ? rows : null;
}

/** Deletes the rows written, unless changed since they were read; marks the failed ones. */
export async function record(ctx: AppContext, connectionId: string, rows: QueuedRow[], outcomes: Map<string, Outcome>): Promise<void> {
  const done = rows.filter((r) => outcomes.get(r.participantId)?.kind === 'done');
  if (done.length) {
    // Only rows whose version is unchanged: a change that arrived mid-push is pushed next time.
    const pairs = sql.join(done.map((r) => sql`(${r.participantId}::uuid, ${r.version}::int)`), sql`, `);
    await ctx.db.execute(sql`delete from crm_push_queue where connection_id = ${connectionId} and (participant_id, version) in (${pairs})`);
  }
  for (const row of rows) {
    const o = outcomes.get(row.participantId);
    if (o?.kind !== 'failed') continue;
    // Moved past the sweep's end so the run ends; the row waits for the next push, visibly.
    await ctx.db
      .update(crmPushQueue)
      .set({ lastError: o.message.slice(0, 500), attempts: sql`${crmPushQueue.attempts} + 1`, dirtyAt: sql`now()` })
      .where(and(eq(crmPushQueue.connectionId, connectionId), eq(crmPushQueue.participantId, row.participantId), eq(crmPushQueue.version, row.version)));
  }
}
