import { and, arrayOverlaps, eq, sql } from 'drizzle-orm';
import { connections, crmLinks, crmPushQueue } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';

/** A queued person changed again: a newer version, due now, and tried afresh even after earlier values were refused as often as a push tries. */
const requeue = {
  target: [crmPushQueue.connectionId, crmPushQueue.participantId],
  set: { version: sql`${crmPushQueue.version} + 1`, dirtyAt: sql`now()`, attempts: 0, lastError: null },
};

/**
 * Marks participants whose CRM properties/attributes must be pushed to every connected portal
 * and workspace of the account. Rows coalesce per (connection, participant): ten changes to one
 * person before the push runs still make one write. A connection has at most one push job
 * queued (a wakeup), and it drains the rows in batches.
 */
export async function markCrmDirty(ctx: AppContext, tx: Tx, accountId: string, participantIds: string[]): Promise<void> {
  const ids = [...new Set(participantIds)];
  if (ids.length === 0) return;
  const conns = await tx
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.accountId, accountId)));
  for (const c of conns) {
    await tx
      .insert(crmPushQueue)
      .values(ids.map((participantId) => ({ connectionId: c.id, participantId })))
      .onConflictDoUpdate(requeue);
    // Disconnected connections keep their rows: the push resumes after reconnecting.
    await ctx.jobs.wake(tx, QUEUES.crmPush, c.id);
  }
}

/**
 * Queues a push to one connection of the people whose contacts there are still owed one of
 * `names` (see crmLinks.namesOwed). The caller is that connection's push, which then sends them.
 */
export async function queueOwedNames(ctx: AppContext, connectionId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await ctx.db
    .insert(crmPushQueue)
    .select((qb) =>
      qb
        // every column, in the table's order, as an insert from a select requires
        .select({
          connectionId: crmLinks.connectionId,
          participantId: crmLinks.participantId,
          version: sql<number>`1`.as('version'),
          attempts: sql<number>`0`.as('attempts'),
          lastError: sql<string | null>`null`.as('last_error'),
          dirtyAt: sql<Date>`now()`.as('dirty_at'),
        })
        .from(crmLinks)
        .where(and(eq(crmLinks.connectionId, connectionId), arrayOverlaps(crmLinks.namesOwed, names))),
    )
    .onConflictDoUpdate(requeue);
}
