import { and, eq, inArray, sql } from 'drizzle-orm';
import { campaigns, connections, crmLinks, participants, syncRuns, type Campaign, type SyncRun } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { inboundValues } from '../../shared/mapping.ts';
import type { Actor } from '../program/actor.ts';
import { enrolReferrersBulk, type BulkPerson } from '../program/bulk-enrol.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { hubspotApi } from './client.ts';
import type { HsContact } from './contacts.ts';
import { HubspotApiError } from './errors.ts';
import { contactSource, pagesAfter } from './sync-sources.ts';

// A contact sync (all contacts or one list → referrers of a campaign), one page at a time. Each
// page is enrolled in the same transaction that moves the run's checkpoint (cursor, done, failed,
// errors), so a crash between pages loses nothing and a crash inside one redoes only that page —
// and enrolling is idempotent by email, so a redone page never duplicates anyone. Contacts are
// never messaged: enrolment only creates their referral link and writes it back to HubSpot.
//
// A once-sync ends `completed`. An ongoing one ends each pass `waiting`, with the cursor left on
// its last page: the next pass (every minute, from tick) re-reads that page and whatever came after.

const MAX_ERRORS_KEPT = 100;

export async function runContactSync(ctx: AppContext, syncRunId: string): Promise<void> {
  const [run] = await ctx.db.select().from(syncRuns).where(eq(syncRuns.id, syncRunId));
  if (!run || run.provider !== 'hubspot' || !['queued', 'running', 'waiting'].includes(run.state)) return;
  if (run.state === 'waiting' && run.mode === 'once') {
    // Ongoing was turned off while the run waited: its last pass was its final one.
    await ctx.db.update(syncRuns).set({ state: 'completed', finishedAt: new Date(), updatedAt: new Date() }).where(eq(syncRuns.id, run.id));
    return;
  }
  const [connection] = await ctx.db.select().from(connections).where(eq(connections.id, run.connectionId));
  // Disconnected: the run keeps its state and checkpoint; reconnecting enqueues it again.
  if (!connection || connection.status !== 'connected') return;
  const [campaign] = await ctx.db.select().from(campaigns).where(eq(campaigns.id, run.campaignId));
  if (!campaign || campaign.status === 'archived') return fail(ctx, run, 'The campaign was archived; the sync stopped.');

  const firstPass = run.watermark === null;
  await ctx.db
    .update(syncRuns)
    .set({ state: 'running', startedAt: run.startedAt ?? new Date(), updatedAt: new Date() })
    .where(eq(syncRuns.id, run.id));
  const api = hubspotApi(ctx, connection);
  const source = contactSource(api, run.source, contactProperties(campaign));
  try {
    const total = await source.total();
    let cursor = run.cursor;
    for await (const page of pagesAfter(source, cursor, (ids) => alreadySynced(ctx.db, run, ids))) {
      await ctx.db.transaction(async (tx) => {
        const r = await enrolContacts(ctx, tx, run, campaign, page.contacts);
        // A first pass counts every contact it went through; later passes only the new ones.
        const processed = firstPass ? page.ids.length : page.contacts.length;
        await tx
          .update(syncRuns)
          .set({
            // On the last page keep the cursor that read it: the next pass starts there.
            cursor: page.next ?? cursor,
            done: sql`${syncRuns.done} + ${Math.max(0, processed - r.failed.length)}`,
            failed: sql`${syncRuns.failed} + ${r.failed.length}`,
            errors: r.failed.length
              ? sql`(select coalesce(jsonb_agg(e), '[]'::jsonb) from (select e from jsonb_array_elements(${syncRuns.errors} || ${JSON.stringify(r.failed)}::jsonb) e limit ${MAX_ERRORS_KEPT}) x)`
              : syncRuns.errors,
            total: total ?? syncRuns.total,
            updatedAt: new Date(),
          })
          .where(eq(syncRuns.id, run.id));
      });
      if (page.next) cursor = page.next;
    }
    const ongoing = (await ctx.db.select({ mode: syncRuns.mode }).from(syncRuns).where(eq(syncRuns.id, run.id)))[0]?.mode === 'ongoing';
    await ctx.db
      .update(syncRuns)
      .set({
        state: ongoing ? 'waiting' : 'completed',
        watermark: new Date().toISOString(),
        ...(firstPass && total !== null && { total }),
        ...(!ongoing && { finishedAt: new Date() }),
        updatedAt: new Date(),
      })
      .where(eq(syncRuns.id, run.id));
  } catch (err) {
    if (err instanceof ConnectionUnavailable) return;
    // HubSpot refusing the sync itself (list deleted, scope missing) will not get better by retrying.
    if (err instanceof HubspotApiError) return fail(ctx, run, err.message);
    throw err;
  }
}

/** The HubSpot properties a sync reads: the email and whatever the inbound mapping names. */
export function contactProperties(campaign: Campaign): string[] {
  return [...new Set(['email', ...campaign.fieldMapping.hubspot.inbound.map((r) => r.source)])];
}

/** Enrols contacts as referrers of the run's campaign (matched by email, linked, written back). */
export async function enrolContacts(ctx: AppContext, tx: Tx, run: Pick<SyncRun, 'id' | 'accountId' | 'campaignId' | 'connectionId'>, campaign: Campaign, contacts: HsContact[]) {
  if (contacts.length === 0) return { created: 0, existing: 0, failed: [] as { externalId: string; message: string }[] };
  const people: BulkPerson[] = contacts.map((c) => {
    const mapped = inboundValues(campaign.fieldMapping.hubspot.inbound, c.properties);
    return { externalId: c.id, email: c.properties.email ?? null, firstName: mapped.firstName, lastName: mapped.lastName, customFields: mapped.custom };
  });
  const actor: Actor = { type: 'system', id: run.id, label: 'HubSpot contact sync', source: 'sync' };
  return enrolReferrersBulk(ctx, tx, { accountId: run.accountId, campaignId: run.campaignId, connectionId: run.connectionId, people, source: 'hubspot_sync', actor });
}

/** Of these contact ids, the ones already linked to a participant of the run's campaign. */
async function alreadySynced(q: Queryable, run: Pick<SyncRun, 'campaignId' | 'connectionId'>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q
    .select({ id: crmLinks.externalId })
    .from(crmLinks)
    .innerJoin(participants, eq(participants.id, crmLinks.participantId))
    .where(and(eq(crmLinks.connectionId, run.connectionId), eq(participants.campaignId, run.campaignId), inArray(crmLinks.externalId, ids)));
  return new Set(rows.map((r) => r.id));
}

async function fail(ctx: AppContext, run: SyncRun, message: string): Promise<void> {
  await ctx.db
    .update(syncRuns)
    .set({
      state: 'failed',
      finishedAt: new Date(),
      updatedAt: new Date(),
      errors: sql`${syncRuns.errors} || ${JSON.stringify([{ externalId: '', message: message.slice(0, 500) }])}::jsonb`,
    })
    .where(eq(syncRuns.id, run.id));
}
