import { and, eq, inArray, ne } from 'drizzle-orm';
import { campaigns, syncRuns, webhookInbox, type Campaign, type Connection, type SyncRun } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { applyClaimedEvents, unappliedEvents } from '../platform/webhook-inbox.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { enrolReferrersBulk } from '../program/bulk-enrol.ts';
import { systemActor } from '../program/actor.ts';
import { intercomApi, type IntercomApi } from './client.ts';
import { contactEmail, findContact, isInSegment, type IntercomContact } from './contacts.ts';
import { attributeRuleHits, qualifyContactLeads, tagRuleHits } from './qualify-rules.ts';
import { toBulkPerson } from './people.ts';
import { mapLimit } from './concurrency.ts';

// Applies stored Intercom notifications. Payloads are snapshots and may arrive late, twice or out
// of order, so every event re-reads the contact from Intercom and acts on how it is *now*: a
// replay or a reordering ends in the same state. The Intercom calls are made before the
// transaction that applies a batch, so no database lock is held while waiting on Intercom.

const BATCH = 100;
const TAG_TOPICS = new Set(['contact.user.tag.created', 'contact.lead.tag.created']);
const UPDATED_TOPICS = new Set(['contact.user.updated', 'contact.lead.updated']);
// a lead signing up becomes a user: for an ongoing sync of all users, that is a new member
const CREATED_TOPICS = new Set(['contact.user.created', 'contact.lead.created', 'contact.lead.signed_up']);

type Row = typeof webhookInbox.$inferSelect;
interface Setup {
  campaigns: Campaign[];
  syncs: SyncRun[];
}

export async function applyIntercomInbox(ctx: AppContext, connection: Connection): Promise<void> {
  // Disconnected: the events stay stored and unapplied until the reconnect resumes this job.
  if (connection.status !== 'connected') return;
  const api = intercomApi(ctx, connection);
  try {
    for (;;) {
      // fresh reads for every batch: a contact may have changed since the previous one
      const lookups = new Lookups(api);
      const pending = await unappliedEvents(ctx, connection.id, BATCH);
      if (pending.length === 0) return;
      const setup = await loadSetup(ctx, connection);
      await prefetch(lookups, pending, setup);
      const applied = await applyClaimedEvents(ctx, pending.map((r) => r.id), (tx, rows) => applyBatch(ctx, tx, connection, rows, setup, lookups));
      if (applied === 0 || pending.length < BATCH) return; // (none: another worker holds them)
    }
  } catch (err) {
    if (err instanceof ConnectionUnavailable) return;
    throw err;
  }
}

async function loadSetup(ctx: AppContext, connection: Connection): Promise<Setup> {
  const [all, syncs] = await Promise.all([
    ctx.db.select().from(campaigns).where(and(eq(campaigns.accountId, connection.accountId), ne(campaigns.status, 'archived'))),
    ctx.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.connectionId, connection.id), eq(syncRuns.mode, 'ongoing'), inArray(syncRuns.state, ['queued', 'running', 'waiting']))),
  ]);
  return { campaigns: all, syncs };
}

/** Reads from Intercom what the batch will need, a few calls at a time. */
async function prefetch(lookups: Lookups, rows: Row[], setup: Setup): Promise<void> {
  const ids = [...new Set(rows.map((r) => needsContact(r, setup)).filter((id): id is string => !!id))];
  await lookups.api.reserve(ids.length);
  const contacts = await mapLimit(ids, 4, (id) => lookups.contact(id));
  const segments = setup.syncs.filter((s) => s.source.kind === 'segment' && s.source.id).map((s) => s.source.id!);
  const created = new Set(rows.filter((r) => CREATED_TOPICS.has(r.eventType)).map((r) => itemOf(r).id));
  const checks = contacts.filter((c): c is IntercomContact => !!c && created.has(c.id) && !!contactEmail(c)).flatMap((c) => segments.map((s) => [c.id, s] as const));
  await mapLimit(checks, 4, ([contactId, segmentId]) => lookups.inSegment(contactId, segmentId));
}

/** The contact an event needs re-read, or null when no rule or sync could care about it. */
function needsContact(row: Row, setup: Setup): string | null {
  const item = itemOf(row);
  if (TAG_TOPICS.has(row.eventType)) {
    const tagId = tagOf(item)?.id;
    return tagId && tagRuleHits(setup.campaigns, tagId).length ? (contactRef(item) ?? null) : null;
  }
  if (UPDATED_TOPICS.has(row.eventType)) return hasAttributeRules(setup) && snapshotMayMeetRule(item, setup) ? (item.id ?? null) : null;
  if (CREATED_TOPICS.has(row.eventType)) return setup.syncs.length ? (item.id ?? null) : null;
  return null;
}

async function applyBatch(ctx: AppContext, tx: Tx, connection: Connection, rows: Row[], setup: Setup, lookups: Lookups): Promise<Map<number, string>> {
  const results = new Map<number, string>();
  // No savepoint per event: a failure fails the batch, and applyClaimedEvents retries it one event
  // at a time, setting aside only an event that fails every time.
  for (const row of rows) results.set(row.id, (await applyOne(ctx, tx, connection, row, setup, lookups)).slice(0, 1000));
  return results;
}

async function applyOne(ctx: AppContext, tx: Tx, connection: Connection, row: Row, setup: Setup, lookups: Lookups): Promise<string> {
  const item = itemOf(row);
  const eventId = row.dedupeKey;
  if (TAG_TOPICS.has(row.eventType)) {
    const tag = tagOf(item);
    const contactId = contactRef(item);
    if (!tag?.id || !contactId) return 'skipped: the notification names no tag or contact';
    const hits = tagRuleHits(setup.campaigns, tag.id);
    if (hits.length === 0) return `skipped: no campaign qualifies leads on tag "${tag.name ?? tag.id}"`;
    const contact = await lookups.contact(contactId);
    if (!contact) return 'skipped: the contact no longer exists in Intercom';
    const tags = contact.tags as { data?: { id?: string }[]; has_more?: boolean } | undefined;
    // Intercom inlines ten tags at most; beyond that, trust the notification.
    if (!tags?.has_more && !tags?.data?.some((t) => t.id === tag.id)) return `skipped: tag "${tag.name ?? tag.id}" was removed from the contact since`;
    const actor = { type: 'crm' as const, id: tag.id, label: `Intercom tag "${tag.name ?? tag.id}"`, source: 'intercom_tag' as const };
    return qualifyContactLeads(ctx, tx, { connection, contact, hits, actor, eventId });
  }
  if (UPDATED_TOPICS.has(row.eventType)) {
    if (!hasAttributeRules(setup)) return 'skipped: no campaign qualifies leads on Intercom attributes';
    if (!snapshotMayMeetRule(item, setup)) return 'skipped: the change notified meets no attribute rule';
    const contact = item.id ? await lookups.contact(item.id) : null;
    if (!contact) return 'skipped: the contact no longer exists in Intercom';
    const hits = attributeRuleHits(setup.campaigns, contact);
    if (hits.length === 0) return 'skipped: no attribute rule is met by the contact';
    const actor = { type: 'crm' as const, id: contact.id, label: 'Intercom attribute', source: 'intercom_attribute' as const };
    return qualifyContactLeads(ctx, tx, { connection, contact, hits, actor, eventId });
  }
  if (CREATED_TOPICS.has(row.eventType)) return feedOngoingSyncs(ctx, tx, connection, item, setup, lookups);
  return `ignored: topic ${row.eventType} is not used by Refcard`;
}

/** A new contact joins every ongoing sync whose source it is in now (segment membership re-checked by search). */
async function feedOngoingSyncs(ctx: AppContext, tx: Tx, connection: Connection, item: Item, setup: Setup, lookups: Lookups): Promise<string> {
  if (setup.syncs.length === 0) return 'skipped: no ongoing sync for this workspace';
  const contact = item.id ? await lookups.contact(item.id) : null;
  if (!contact) return 'skipped: the contact no longer exists in Intercom';
  if (!contactEmail(contact)) return 'skipped: the contact has no email address';
  const out: string[] = [];
  for (const sync of setup.syncs) {
    const member = sync.source.kind === 'all' ? contact.role === 'user' : sync.source.kind === 'segment' && !!sync.source.id && (await lookups.inSegment(contact.id, sync.source.id));
    if (!member) {
      out.push(`not in ${sync.source.kind === 'all' ? 'users (a lead)' : `segment ${sync.source.name ?? sync.source.id}`}`);
      continue;
    }
    const campaign = setup.campaigns.find((c) => c.id === sync.campaignId);
    if (!campaign) continue;
    const r = await enrolReferrersBulk(ctx, tx, {
      accountId: connection.accountId,
      campaignId: campaign.id,
      connectionId: connection.id,
      people: [toBulkPerson(contact, campaign)],
      source: 'intercom_sync',
      actor: systemActor('sync'),
    });
    out.push(r.created ? `enrolled in "${campaign.name}"` : r.failed.length ? `not enrolled in "${campaign.name}": ${r.failed[0]!.message}` : `already in "${campaign.name}"`);
  }
  return `${out.some((o) => o.startsWith('enrolled')) ? 'applied' : 'skipped'}: ${out.join('; ')}`;
}

/** Memoised Intercom reads for one apply run. */
class Lookups {
  private contacts = new Map<string, Promise<IntercomContact | null>>();
  private segments = new Map<string, Promise<boolean>>();
  constructor(readonly api: IntercomApi) {}
  contact(id: string): Promise<IntercomContact | null> {
    let p = this.contacts.get(id);
    if (!p) {
      this.contacts.set(id, (p = findContact(this.api, id)));
      p.catch(() => this.contacts.delete(id));
    }
    return p;
  }
  inSegment(contactId: string, segmentId: string): Promise<boolean> {
    const key = `${contactId}:${segmentId}`;
    let p = this.segments.get(key);
    if (!p) {
      this.segments.set(key, (p = isInSegment(this.api, contactId, segmentId)));
      p.catch(() => this.segments.delete(key));
    }
    return p;
  }
}

interface Item {
  id?: string;
  tag?: { id?: string; name?: string };
  contact?: { id?: string };
  [k: string]: unknown;
}
const itemOf = (row: Row): Item => ((row.payload as { data?: { item?: Item } } | null)?.data?.item ?? {}) as Item;
const tagOf = (item: Item) => (item.tag && typeof item.tag === 'object' ? { id: item.tag.id ? String(item.tag.id) : undefined, name: item.tag.name } : null);
const contactRef = (item: Item) => (item.contact?.id ? String(item.contact.id) : undefined);
/**
 * Every change to a contact is notified with the contact as it was then, so a change that made a
 * rule true arrives with a snapshot meeting it. Snapshots meeting no rule (most of them: our own
 * attribute writes among them) need no re-read; ones that do are re-read, since they may be stale.
 */
function snapshotMayMeetRule(item: Item, setup: Setup): boolean {
  if (!item.custom_attributes || typeof item.custom_attributes !== 'object') return true;
  return attributeRuleHits(setup.campaigns, item as unknown as IntercomContact).length > 0;
}
const hasAttributeRules = (setup: Setup) => setup.campaigns.some((c) => c.qualificationRules.some((r) => r.kind === 'intercom_attribute'));
