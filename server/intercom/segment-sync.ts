import { and, eq, inArray, sql } from 'drizzle-orm';
import { connections, crmLinks, participants, syncRuns, type Campaign, type Connection, type SyncRun } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { enrolReferrersBulk, type BulkResult } from '../program/bulk-enrol.ts';
import { loadCampaign } from '../program/participants.ts';
import { systemActor } from '../program/actor.ts';
import { normalizeEmail } from '../../shared/email.ts';
import { intercomApi, type IntercomApi } from './client.ts';
import { contactEmail, type IntercomContact } from './contacts.ts';
import { IntercomApiError } from './errors.ts';
import { toBulkPerson } from './people.ts';

// Segment (or all-users) sync. Intercom has no segment-members endpoint and no segment webhook:
// members are a search on `segment_id`, walked 150 at a time with the cursor in the body. Each page
// is enrolled in the same transaction that stores the next cursor, so a crash resumes after the
// last page that committed and never enrols anyone twice. An ongoing sync then waits, and the
// minute tick (tick.ts) walks the segment again; people already enrolled and linked cost one
// query per page and no write, so a re-walk never re-pushes the whole segment.

const PAGE_SIZE = 150;
const MAX_ERRORS = 100;

export async function runIntercomSync(ctx: AppContext, syncRunId: string): Promise<void> {
  const [run] = await ctx.db.select().from(syncRuns).where(eq(syncRuns.id, syncRunId));
  if (!run || run.provider !== 'intercom' || !['queued', 'running'].includes(run.state)) return;
  const [connection] = await ctx.db.select().from(connections).where(eq(connections.id, run.connectionId));
  // Disconnected: paused with its cursor; the reconnect queues it again (resume.ts).
  if (!connection || connection.status !== 'connected') return setState(ctx, run.id, { state: 'paused' });
  const campaign = await loadCampaign(ctx.db, run.accountId, run.campaignId);
  const api = intercomApi(ctx, connection);
  try {
    if (run.cursor === null) {
      const problem = await checkSource(api, run);
      if (problem) return setState(ctx, run.id, { state: 'failed', finishedAt: new Date(), errors: [{ externalId: run.source.id ?? '', message: problem }] });
      // A new pass: progress counts this pass.
      await setState(ctx, run.id, { state: 'running', startedAt: run.startedAt ?? new Date(), done: 0, failed: 0, total: null, errors: [] });
    } else {
      await setState(ctx, run.id, { state: 'running' });
    }
    let cursor = run.cursor;
    for (;;) {
      const page = await searchPage(api, run.source, cursor);
      const next = page.next;
      const advanced = await ctx.db.transaction((tx) => applyPage(ctx, tx, run, campaign, connection, cursor, next, page));
      if (!advanced) return; // another runner moved the checkpoint: it carries on
      if (!next) break;
      cursor = next;
    }
    // the mode may have been switched while the pass ran
    const [now] = await ctx.db.select({ mode: syncRuns.mode }).from(syncRuns).where(eq(syncRuns.id, run.id));
    const passEnded = { cursor: null, watermark: new Date().toISOString() };
    await setState(ctx, run.id, now?.mode === 'ongoing' ? { ...passEnded, state: 'waiting' } : { ...passEnded, state: 'completed', finishedAt: new Date() });
  } catch (err) {
    if (err instanceof ConnectionUnavailable) return setState(ctx, run.id, { state: 'paused' });
    if (err instanceof IntercomApiError) {
      ctx.log.warn({ err, syncRunId }, 'Intercom refused the sync');
      return setState(ctx, run.id, { state: 'failed', finishedAt: new Date(), errors: [{ externalId: run.source.id ?? '', message: `Intercom refused the sync: ${err.message}` }] });
    }
    throw err; // transient: the job retries and resumes from the checkpoint
  }
}

/** Why the source cannot be synced, or null. An unknown segment would otherwise look like an empty one. */
async function checkSource(api: IntercomApi, run: SyncRun): Promise<string | null> {
  if (run.source.kind === 'all') return null;
  if (run.source.kind !== 'segment' || !run.source.id) return 'An Intercom sync needs a segment id or all users.';
  try {
    await api.call('find segment', (c) => c.segments.find({ segment_id: run.source.id! }));
    return null;
  } catch (err) {
    if (err instanceof IntercomApiError && err.status === 404) return `Segment ${run.source.id} does not exist in this Intercom workspace.`;
    throw err;
  }
}

interface SearchPage {
  contacts: IntercomContact[];
  next: string | null;
  total: number | null;
}

async function searchPage(api: IntercomApi, source: SyncRun['source'], cursor: string | null): Promise<SearchPage> {
  const query = source.kind === 'segment' ? { field: 'segment_id', operator: '=' as const, value: source.id! } : { field: 'role', operator: '=' as const, value: 'user' };
  const page = await api.call('search sync page', (c) =>
    c.contacts.search({ query, pagination: { per_page: PAGE_SIZE, ...(cursor && { starting_after: cursor }) } }),
  );
  return { contacts: page.data, next: page.response.pages?.next?.starting_after || null, total: page.response.total_count ?? null };
}

/** One page and its checkpoint, together. False when the checkpoint is no longer `from`. */
async function applyPage(ctx: AppContext, tx: Tx, run: SyncRun, campaign: Campaign, connection: Connection, from: string | null, next: string | null, page: SearchPage): Promise<boolean> {
  const [cur] = await tx.select().from(syncRuns).where(eq(syncRuns.id, run.id)).for('update');
  if (!cur || cur.state !== 'running' || cur.cursor !== from) return false;
  const fresh = await notYetLinked(tx, campaign, connection, page.contacts);
  const r: BulkResult = fresh.length
    ? await enrolReferrersBulk(ctx, tx, {
        accountId: run.accountId,
        campaignId: campaign.id,
        connectionId: connection.id,
        people: fresh.map((c) => toBulkPerson(c, campaign)),
        source: 'intercom_sync',
        actor: systemActor('sync'),
      })
    : { created: 0, existing: 0, failed: [] };
  await tx
    .update(syncRuns)
    .set({
      cursor: next,
      done: sql`${syncRuns.done} + ${page.contacts.length}`,
      failed: sql`${syncRuns.failed} + ${r.failed.length}`,
      errors: [...cur.errors, ...r.failed].slice(0, MAX_ERRORS),
      ...(from === null && { total: page.total }),
      updatedAt: new Date(),
    })
    .where(eq(syncRuns.id, run.id));
  return true;
}

/**
 * Contacts not yet enrolled in the campaign with a link to this workspace. Those already there are
 * skipped: re-enrolling them would queue an attribute write for everyone on every pass.
 */
async function notYetLinked(tx: Tx, campaign: Campaign, connection: Connection, contacts: IntercomContact[]): Promise<IntercomContact[]> {
  const emails = [...new Set(contacts.map(contactEmail).filter((e): e is string => !!e).map(normalizeEmail))];
  if (emails.length === 0) return contacts;
  const linked = await tx
    .select({ email: participants.email })
    .from(participants)
    .innerJoin(crmLinks, and(eq(crmLinks.participantId, participants.id), eq(crmLinks.connectionId, connection.id)))
    .where(and(eq(participants.campaignId, campaign.id), inArray(participants.email, emails)));
  const known = new Set(linked.map((l) => l.email));
  return contacts.filter((c) => {
    const email = contactEmail(c);
    return !email || !known.has(normalizeEmail(email));
  });
}

async function setState(ctx: AppContext, id: string, values: Partial<typeof syncRuns.$inferInsert>): Promise<void> {
  await ctx.db.update(syncRuns).set({ ...values, updatedAt: new Date() }).where(eq(syncRuns.id, id));
}
