import { and, desc, eq, inArray } from 'drizzle-orm';
import { connections, syncRuns, type SyncRun } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { loadCampaign } from './participants.ts';
import { ProgramError, notFound } from './errors.ts';

export type SyncSource = SyncRun['source'];

/**
 * Starts a contact sync (all contacts, a HubSpot list or an Intercom segment → referrers of a
 * campaign), once or ongoing. The run row and its job are written together; the job resumes from
 * the row's checkpoint after any crash. One live sync per campaign and source: asking again
 * answers the running one.
 */
export async function startSync(
  ctx: AppContext,
  input: { accountId: string; campaignId: string; connectionId: string; source: SyncSource; mode: 'once' | 'ongoing'; actor: Actor },
): Promise<{ run: SyncRun; created: boolean }> {
  return ctx.db.transaction(async (tx) => {
    await loadCampaign(tx, input.accountId, input.campaignId);
    const [conn] = await tx.select().from(connections).where(and(eq(connections.id, input.connectionId), eq(connections.accountId, input.accountId)));
    if (!conn) throw notFound('The connection', 'connection_id');
    if (input.source.kind === 'segment' && conn.provider !== 'intercom') throw new ProgramError(400, 'bad_source', 'Segments are an Intercom source.', 'source');
    if (input.source.kind === 'list' && conn.provider !== 'hubspot') throw new ProgramError(400, 'bad_source', 'Lists are a HubSpot source.', 'source');
    const live = await tx
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.campaignId, input.campaignId), eq(syncRuns.connectionId, conn.id), inArray(syncRuns.state, ['queued', 'running', 'waiting'])));
    const same = live.find((r) => r.source.kind === input.source.kind && (r.source.id ?? null) === (input.source.id ?? null));
    if (same) return { run: same, created: false };
    const [run] = await tx
      .insert(syncRuns)
      .values({ accountId: input.accountId, campaignId: input.campaignId, connectionId: conn.id, provider: conn.provider, source: input.source, mode: input.mode })
      .returning();
    await audit(tx, { accountId: input.accountId, campaignId: input.campaignId, action: 'sync.started', actor: input.actor, after: { source: input.source, mode: input.mode, provider: conn.provider } });
    await ctx.jobs.send(tx, QUEUES.syncRun, { syncRunId: run!.id }, { singletonKey: `sync:${run!.id}` });
    return { run: run!, created: true };
  });
}

/** Ongoing ↔ once; turning ongoing off lets the current pass finish and stops there. */
export async function setSyncMode(q: Queryable, accountId: string, syncRunId: string, mode: 'once' | 'ongoing'): Promise<SyncRun> {
  const [run] = await q
    .update(syncRuns)
    .set({ mode, updatedAt: new Date() })
    .where(and(eq(syncRuns.id, syncRunId), eq(syncRuns.accountId, accountId)))
    .returning();
  if (!run) throw notFound('The sync', 'id');
  return run;
}

export function listSyncs(q: Queryable, accountId: string, campaignId?: string) {
  return q
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), campaignId ? eq(syncRuns.campaignId, campaignId) : undefined))
    .orderBy(desc(syncRuns.createdAt))
    .limit(100);
}
