import { and, eq, sql } from 'drizzle-orm';
import { connections, crmPushQueue } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';

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
      .onConflictDoUpdate({
        target: [crmPushQueue.connectionId, crmPushQueue.participantId],
        // A new change is tried afresh, even after earlier values were refused as often as a push tries.
        set: { version: sql`${crmPushQueue.version} + 1`, dirtyAt: sql`now()`, attempts: 0, lastError: null },
      });
    // Disconnected connections keep their rows: the push resumes after reconnecting.
    await ctx.jobs.wake(tx, QUEUES.crmPush, c.id);
  }
}
