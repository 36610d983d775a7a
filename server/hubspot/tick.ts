import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { connections, crmPushQueue, syncRuns } from '../db/schema.ts';
import { QUEUES } from '../jobs/queues.ts';
import { REFRESH_MARGIN_MS } from '../platform/connections.ts';
import { MAX_PUSH_ATTEMPTS } from './push-queue.ts';
import { connectionsWithLapsedNames } from './refusals.ts';
import { hubspotToken } from './tokens.ts';

// Once a minute (one schedule across all processes): the next pass of every ongoing sync, tokens
// refreshed before anything needs them (and uninstalls noticed, as a refused refresh), and a push
// for any portal whose queue has been sitting — a safety net under the push jobs — or whose
// contacts are owed names HubSpot can be asked to take again.

/** A `running` run this quiet has lost its worker; its job is enqueued again and resumes from the checkpoint. */
const STALE_RUN_MS = 5 * 60 * 1000;

export async function hubspotTick(ctx: AppContext): Promise<void> {
  if (!ctx.config.hubspot) return;
  const hubspot = await ctx.db.select().from(connections).where(and(eq(connections.provider, 'hubspot'), eq(connections.status, 'connected')));
  if (hubspot.length === 0) return;
  const ids = hubspot.map((c) => c.id);

  const runs = await ctx.db
    .select({ id: syncRuns.id, state: syncRuns.state, mode: syncRuns.mode, updatedAt: syncRuns.updatedAt })
    .from(syncRuns)
    .where(and(inArray(syncRuns.connectionId, ids), inArray(syncRuns.state, ['waiting', 'running', 'queued'])));
  for (const r of runs) {
    const due = r.state === 'waiting' || Date.now() - r.updatedAt.getTime() > STALE_RUN_MS;
    if (due) await ctx.jobs.send(ctx.db, QUEUES.syncRun, { syncRunId: r.id }, { singletonKey: `sync:${r.id}` });
  }

  for (const c of hubspot) {
    if (!c.accessTokenExpiresAt || c.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS + 2 * 60_000) continue;
    try {
      await hubspotToken(ctx, c.id);
    } catch (err) {
      ctx.log.warn({ err, portalId: c.externalId }, 'refreshing a HubSpot token ahead of expiry failed');
    }
  }

  const waiting = await ctx.db
    .selectDistinct({ id: crmPushQueue.connectionId })
    .from(crmPushQueue)
    .where(and(inArray(crmPushQueue.connectionId, ids), lt(crmPushQueue.attempts, MAX_PUSH_ATTEMPTS), lt(crmPushQueue.dirtyAt, sql`now() - interval '1 minute'`)));
  const owing = await connectionsWithLapsedNames(ctx, ids);
  for (const id of new Set([...waiting.map((w) => w.id), ...owing])) await ctx.jobs.wake(ctx.db, QUEUES.crmPush, id);
}
