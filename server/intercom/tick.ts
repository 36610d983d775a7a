import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { connections, crmPushQueue, syncRuns, webhookInbox } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';
import { MAX_PUSH_ATTEMPTS } from './attribute-sync.ts';

/** An ongoing sync walks its segment again this long after its last pass ended. */
export const POLL_AFTER_MS = 30_000;
/** A queued or running sync untouched this long lost its job (worker killed): it is sent again. */
const STALE_SYNC_MS = 15 * 60 * 1000;
/** Queued pushes this old outlived their job's retries: they get a new job (stored events: sweepInbox). */
const STALE_WORK_MS = 5 * 60 * 1000;

/**
 * Every minute (pg-boss keeps the schedule single across processes):
 *   - ongoing syncs walk their segment again — the only way to see new members, since Intercom
 *     sends no webhook for segment changes;
 *   - an ongoing sync switched to one-time while waiting is complete;
 *   - work whose job was lost or gave up (a killed worker, a long Intercom outage) is sent again,
 *     so nothing acknowledged or queued is ever left behind.
 */
export async function intercomTick(ctx: AppContext): Promise<void> {
  const now = Date.now();
  await ctx.db
    .update(syncRuns)
    .set({ state: 'completed', finishedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(syncRuns.provider, 'intercom'), eq(syncRuns.mode, 'once'), eq(syncRuns.state, 'waiting')));
  await ctx.db.transaction(async (tx) => {
    const due = await tx
      .update(syncRuns)
      .set({ state: 'queued', updatedAt: new Date() })
      .where(and(eq(syncRuns.provider, 'intercom'), eq(syncRuns.mode, 'ongoing'), eq(syncRuns.state, 'waiting'), lt(syncRuns.updatedAt, new Date(now - POLL_AFTER_MS))))
      .returning({ id: syncRuns.id });
    const stale = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.provider, 'intercom'), inArray(syncRuns.state, ['queued', 'running']), lt(syncRuns.updatedAt, new Date(now - STALE_SYNC_MS))));
    for (const run of [...due, ...stale]) await ctx.jobs.send(tx, QUEUES.syncRun, { syncRunId: run.id }, { singletonKey: `sync:${run.id}` });
  });

  const live = and(eq(connections.provider, 'intercom'), eq(connections.status, 'connected'));
  const cutoff = new Date(now - STALE_WORK_MS);
  const pushes = await ctx.db
    .selectDistinct({ id: crmPushQueue.connectionId })
    .from(crmPushQueue)
    .innerJoin(connections, eq(connections.id, crmPushQueue.connectionId))
    .where(and(live, lt(crmPushQueue.dirtyAt, cutoff), lt(crmPushQueue.attempts, MAX_PUSH_ATTEMPTS)));
  for (const c of pushes) await ctx.jobs.wake(ctx.db, QUEUES.crmPush, c.id);
}
