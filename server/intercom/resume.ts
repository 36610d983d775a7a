import { and, eq } from 'drizzle-orm';
import { syncRuns } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';

/**
 * After an install or reconnect: whatever waited while the connection was disconnected (queued
 * attribute pushes, stored webhook events, paused syncs) is picked up again. Sending the jobs is
 * harmless when nothing waits: each finds an empty queue and ends.
 */
export async function resumeConnection(ctx: AppContext, connectionId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await ctx.jobs.wake(tx, QUEUES.crmPush, connectionId);
    await ctx.jobs.wake(tx, QUEUES.inboxApply, connectionId);
    const paused = await tx
      .update(syncRuns)
      .set({ state: 'queued', updatedAt: new Date() })
      .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.state, 'paused')))
      .returning({ id: syncRuns.id });
    for (const run of paused) await ctx.jobs.send(tx, QUEUES.syncRun, { syncRunId: run.id }, { singletonKey: `sync:${run.id}` });
  });
}
