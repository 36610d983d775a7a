import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { campaigns, crmLinks, syncRuns, webhookInbox, type Campaign, type Connection, type SyncRun } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../program/actor.ts';
import { markCrmDirty } from '../program/crm-dirty.ts';
import { eraseParticipant } from '../program/directory.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { applyClaimedEvents, unappliedEvents } from '../platform/webhook-inbox.ts';
import { hubspotApi, type HubspotApi } from './client.ts';
import { forgetIdentity, readContacts, type HsContact } from './contacts.ts';
import { contactProperties, enrolContacts } from './contact-sync.ts';
import { applyQualifyingEvent, isContactAddedToDeal, isContactPropertyChange, isStageChange, prefetch, type Prefetched } from './qualify-events.ts';
import type { HubspotEvent } from './webhooks.ts';

// Applies stored HubSpot webhook events of one portal, a batch at a time. Creations go first,
// then everything by when it happened (HubSpot delivers in no particular order). Every event ends
// with a result that says what it did or why it did nothing; that text is the audit trail of
// skipped events.
//
// What a batch needs from HubSpot (deals, associations, new contacts) is read before the
// transaction that applies it: a HubSpot call can wait seconds for the portal's rate limit or a
// slow answer, and no transaction, row lock or pool connection is held meanwhile. One drain per
// portal runs at a time (the job's lock), and the transaction claims exactly the rows that were
// read ahead for, so nothing is applied with data fetched for other events.
//
// Privacy deletion (HubSpot's GDPR delete) erases the linked participants too: the person asked
// the customer to forget them, and Refcard holds the same person's data for that customer, so
// keeping it would defeat the request. Erasure keeps the anonymised row, so referrers' counts
// and rewards stay true. A plain deletion only unlinks: the contact may be restored, and the
// referral history is the customer's record, not HubSpot's.

type InboxRow = typeof webhookInbox.$inferSelect;
type Ordered = { row: InboxRow; name: string; e: HubspotEvent };

const BATCH = 100;

export async function applyHubspotInbox(ctx: AppContext, connection: Connection): Promise<void> {
  // Disconnected: events wait in the inbox; reconnecting enqueues this job again.
  if (connection.status !== 'connected') return;
  const api = hubspotApi(ctx, connection);
  try {
    for (;;) {
      const pending = await unappliedEvents(ctx, connection.id, BATCH);
      if (pending.length === 0) return;
      const events = ordered(pending);
      const live = await ctx.db.select().from(campaigns).where(and(eq(campaigns.accountId, connection.accountId), ne(campaigns.status, 'archived')));
      const pre = await prefetch(ctx.db, api, connection, live, events);
      const created = await readCreatedContacts(ctx, api, connection, createdContactIds(events));
      const applied = await applyClaimedEvents(ctx, pending.map((r) => r.id), (tx, claimed) => applyBatch(ctx, tx, connection, live, pre, created, ordered(claimed)));
      if (applied === 0 || pending.length < BATCH) return;
    }
  } catch (err) {
    if (err instanceof ConnectionUnavailable) return;
    throw err;
  }
}

const order = (name: string) => (name.endsWith('.creation') ? 0 : 1);

function ordered(rows: InboxRow[]): Ordered[] {
  return rows
    .map((row) => ({ row, name: row.eventType, e: row.payload as HubspotEvent }))
    .sort((a, b) => order(a.name) - order(b.name) || a.e.occurredAt - b.e.occurredAt || a.row.id - b.row.id);
}

const createdContactIds = (events: Ordered[]) => events.filter((x) => x.name === 'contact.creation').map((x) => String(x.e.objectId));

async function applyBatch(ctx: AppContext, tx: Tx, connection: Connection, live: Campaign[], pre: Prefetched, created: CreatedContacts, events: Ordered[]): Promise<Map<number, string>> {
  const enrolled = await enrolCreatedContacts(ctx, tx, created, createdContactIds(events));
  const results = new Map<number, string>();
  for (const { row, name, e } of events) {
    results.set(row.id, await applyOne(ctx, tx, connection, live, pre, enrolled, name, e));
  }
  return results;
}

async function applyOne(
  ctx: AppContext,
  tx: Tx,
  connection: Connection,
  live: Campaign[],
  pre: Prefetched,
  created: Map<string, string>,
  name: string,
  e: HubspotEvent,
): Promise<string> {
  const objectId = String(e.objectId ?? '');
  if (isStageChange(name, e) || isContactPropertyChange(name, e) || isContactAddedToDeal(name, e)) return applyQualifyingEvent(ctx, tx, connection, live, pre, name, e);
  switch (name) {
    case 'contact.creation':
      return created.get(objectId) ?? 'skipped: no ongoing sync of all contacts';
    case 'contact.deletion': {
      const gone = await tx.delete(crmLinks).where(and(eq(crmLinks.connectionId, connection.id), eq(crmLinks.externalId, objectId))).returning({ id: crmLinks.participantId });
      forgetIdentity(connection.id, objectId);
      return gone.length ? `unlinked ${gone.length} participant(s); their referral history is kept` : 'skipped: no participant was linked to this contact';
    }
    case 'contact.privacyDeletion': {
      const linked = await tx.select({ id: crmLinks.participantId }).from(crmLinks).where(and(eq(crmLinks.connectionId, connection.id), eq(crmLinks.externalId, objectId)));
      const actor: Actor = { type: 'crm', id: `contact:${objectId}`, label: 'HubSpot privacy deletion', source: 'system' };
      for (const { id } of linked) await eraseParticipant(ctx, tx, connection.accountId, id, actor);
      forgetIdentity(connection.id, objectId);
      return linked.length ? `erased ${linked.length} participant(s) (HubSpot GDPR deletion)` : 'skipped: no participant was linked to this contact';
    }
    case 'contact.merge': {
      const survivor = String(e.newObjectId ?? e.objectId);
      const old = [e.primaryObjectId, ...(e.mergedObjectIds ?? [])].filter((x) => x !== undefined).map(String).filter((x) => x !== survivor);
      if (old.length === 0) return 'skipped: the merge named no other contact';
      const moved = await tx
        .update(crmLinks)
        .set({ externalId: survivor })
        .where(and(eq(crmLinks.connectionId, connection.id), inArray(crmLinks.externalId, old)))
        .returning({ id: crmLinks.participantId });
      for (const id of [...old, survivor]) forgetIdentity(connection.id, id);
      // The surviving record may carry the other contact's values: write ours again.
      if (moved.length) await markCrmDirty(ctx, tx, connection.accountId, moved.map((m) => m.id));
      return moved.length ? `relinked ${moved.length} participant(s) to contact ${survivor}` : 'skipped: no participant was linked to the merged contacts';
    }
    default:
      return `ignored: Refcard does not act on ${name}${e.propertyName ? ` (${e.propertyName})` : ''}`;
  }
}

/** The portal's ongoing "all contacts" syncs and, if there are any, the new contacts as HubSpot has them now. */
interface CreatedContacts {
  runs: SyncRun[];
  campaigns: Campaign[];
  found: HsContact[];
  missing: Set<string>;
}

async function readCreatedContacts(ctx: AppContext, api: HubspotApi, connection: Connection, ids: string[]): Promise<CreatedContacts> {
  const none: CreatedContacts = { runs: [], campaigns: [], found: [], missing: new Set() };
  if (ids.length === 0) return none;
  const runs = (
    await ctx.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.connectionId, connection.id), eq(syncRuns.mode, 'ongoing'), inArray(syncRuns.state, ['queued', 'running', 'waiting'])))
  ).filter((r) => r.source.kind === 'all');
  if (runs.length === 0) return none;
  const syncCampaigns = await ctx.db.select().from(campaigns).where(inArray(campaigns.id, runs.map((r) => r.campaignId)));
  const { found, missing } = await readContacts(api, ids, [...new Set(syncCampaigns.flatMap(contactProperties))]);
  return { runs, campaigns: syncCampaigns, found, missing };
}

/**
 * New contacts join every ongoing "all contacts" sync of the portal at once (the sync's minute
 * tick would find them too; this is sooner). Returns a result per contact id.
 */
async function enrolCreatedContacts(ctx: AppContext, tx: Tx, read: CreatedContacts, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const wanted = new Set(ids);
  for (const id of read.missing) if (wanted.has(id)) out.set(id, 'skipped: the contact was deleted before it could be synced');
  const found = read.found.filter((c) => wanted.has(c.id));
  for (const run of read.runs) {
    const campaign = read.campaigns.find((c) => c.id === run.campaignId);
    if (!campaign || campaign.status === 'archived') continue;
    const r = await enrolContacts(ctx, tx, run, campaign, found);
    await tx
      .update(syncRuns)
      .set({ done: sql`${syncRuns.done} + ${r.created}`, failed: sql`${syncRuns.failed} + ${r.failed.length}`, updatedAt: new Date() })
      .where(eq(syncRuns.id, run.id));
    for (const c of found) {
      const failed = r.failed.find((f) => f.externalId === c.id);
      const line = failed ? `not enrolled in "${campaign.name}": ${failed.message}` : `enrolled in "${campaign.name}" (ongoing sync)`;
      out.set(c.id, out.has(c.id) ? `${out.get(c.id)}; ${line}` : line);
    }
  }
  return out;
}
