import { and, eq, inArray, sql } from 'drizzle-orm';
import { campaigns, crmLinks, participants, type Connection, type Participant } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { outboundValues } from '../../shared/mapping.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { hubspotApi, type HubspotApi } from './client.ts';
import { createContacts, findContactsByEmail, forgetIdentity, updateContacts, upsertContactsByEmail } from './contacts.ts';
import { GONE, writeGroups, type Group, type Props, type RunState, type WriteInput } from './group-writes.ts';
import { droppedProperties, lapsedNames, rememberDropped, rememberRefusedValues, stillDropped } from './refusals.ts';
import { queueOwedNames } from '../program/crm-dirty.ts';
import { participantValues } from '../program/participant-values.ts';
import { readAhead } from '../platform/read-ahead.ts';
import { dirtyRows, record, type Outcome, type QueuedRow, type Sweep } from './push-queue.ts';

// Property write-back: drains the connection's crm_push_queue a few batches of ≤ 100 at a time,
// their calls in flight together. A queue row means "this person changed" however often, so one
// write carries the latest values, and two participants standing for one contact (two campaigns)
// make one input. Linked contacts are updated by id; people Refcard has no contact for follow
// their campaign's setting: upsert by email, create only if absent, or nothing. A row is deleted
// only if its version did not move since it was read; otherwise a later pass pushes the newer
// change.
//
// The next batches are read from the database while one is written (or waits for HubSpot's
// budget), so writes follow each other as fast as the budget allows. Writes themselves stay one
// batch after another, in the order the rows were dirtied: the later change always lands last.

/** Batches read ahead of the one being written. */
const PREPARED_AHEAD = 8;
/**
 * How long a run keeps taking rows dirtied after it started (a sync enrols page after page): they
 * go out at once instead of after the queued job's poll. Well inside the job's expiry.
 */
const KEEP_DRAINING_MS = 60_000;

/**
 * Drains the queue of one connection. `since` (a database timestamp) limits it to rows dirtied
 * from then on: the card pushes what its own action changed before it answers, so HubSpot shows
 * the new values when the card refreshes the record's properties.
 */
export async function pushProperties(ctx: AppContext, connection: Connection, opts: { since?: string } = {}): Promise<void> {
  // Disconnected: the rows stay queued; reconnecting enqueues a push that finds them.
  if (connection.status !== 'connected') return;
  const api = hubspotApi(ctx, connection);
  const dropped = await droppedProperties(ctx, connection.id);
  const state: RunState = { dropped: stillDropped(dropped), refused: [], ensured: false };
  // Before the sweep's clock is read, so this run pays them (and before the lapsed entries are forgotten).
  await queueOwedNames(ctx, connection.id, lapsedNames(dropped));
  const t0 = Date.now();
  try {
    for (let sweep = 0; ; sweep++) {
      // The database's clock, as the queue's dirty_at is: rows dirtied after this wait for the next
      // sweep (never failed ones) or the next run (the others). Whoever dirtied them also queued
      // that run, which would find them after a poll; a sweep sends them at once.
      const upTo = await databaseNow(ctx);
      const found = await sweepQueue(ctx, api, connection, state, { upTo, since: opts.since, failedToo: sweep === 0 });
      if (!found || opts.since || Date.now() - t0 > KEEP_DRAINING_MS) break;
    }
  } catch (err) {
    // Rows stay queued; resumeConnection() re-enqueues the push after a reinstall.
    if (err instanceof ConnectionUnavailable) return;
    throw err;
  } finally {
    await rememberDropped(ctx, connection.id, dropped, state.dropped);
    await rememberRefusedValues(ctx, connection.id, state.refused);
  }
}

/** Pushes the rows dirtied up to `upTo`, oldest first; false if there were none. */
async function sweepQueue(ctx: AppContext, api: HubspotApi, connection: Connection, state: RunState, sweep: Sweep): Promise<boolean> {
  // Each batch is read after the last row of the one before: rows still being written are never read twice.
  const batches = readAhead<QueuedRow[], Prepared>({
    first: () => dirtyRows(ctx, connection.id, sweep),
    next: (rows) => dirtyRows(ctx, connection.id, sweep, rows.at(-1)),
    map: (rows) => prepareBatch(ctx, connection, rows),
    ahead: PREPARED_AHEAD,
  });
  let found = false;
  for await (const batch of batches) {
    found = true;
    await record(ctx, connection.id, batch.rows, await writeBatch(ctx, api, connection, batch, state));
  }
  return found;
}

interface Prepared {
  rows: QueuedRow[];
  outcomes: Map<string, Outcome>;
  /** keyed by contact id / email */
  updates: Map<string, Group>;
  upserts: Map<string, Group>;
  creates: Map<string, Group>;
  /** linked contacts Refcard created → the names it still owes them (see crmLinks.namesOwed) */
  owedNames: Map<string, Set<string>>;
}

/** Everything a batch writes, read from the database. */
async function prepareBatch(ctx: AppContext, connection: Connection, rows: QueuedRow[]): Promise<Prepared> {
  const ids = rows.map((r) => r.participantId);
  const people = await ctx.db.select().from(participants).where(and(inArray(participants.id, ids), eq(participants.accountId, connection.accountId)));
  const campaignIds = [...new Set(people.map((p) => p.campaignId))];
  const campaignById = new Map((campaignIds.length ? await ctx.db.select().from(campaigns).where(inArray(campaigns.id, campaignIds)) : []).map((c) => [c.id, c]));
  const links = await ctx.db.select().from(crmLinks).where(and(eq(crmLinks.connectionId, connection.id), inArray(crmLinks.participantId, ids)));
  const linkOf = new Map(links.map((l) => [l.participantId, l.externalId]));
  const owedNames = new Map<string, Set<string>>();
  for (const l of links) for (const name of l.namesOwed) owedNames.set(l.externalId, (owedNames.get(l.externalId) ?? new Set()).add(name));
  const live = people.filter((p) => !p.erasedAt).sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  const values = await participantValues(ctx, ctx.db, live, campaignById);

  const outcomes = new Map<string, Outcome>(ids.map((id) => [id, GONE]));
  // Later (more recently changed) participants win per property.
  const updates = new Map<string, Group>();
  const upserts = new Map<string, Group>();
  const creates = new Map<string, Group>();
  for (const p of live) {
    const campaign = campaignById.get(p.campaignId)!;
    const props = stringify(outboundValues(campaign.fieldMapping.hubspot.outbound, values.get(p.id)!));
    const linked = linkOf.get(p.id);
    if (linked) addTo(updates, linked, p, props);
    else if (!p.email) outcomes.set(p.id, { kind: 'done', note: 'no email to match a HubSpot contact' });
    else if (campaign.settings.hubspotNewParticipants === 'create_or_update') addTo(upserts, p.email, p, props);
    else if (campaign.settings.hubspotNewParticipants === 'create') addTo(creates, p.email, p, props);
    else outcomes.set(p.id, { kind: 'done', note: 'the campaign sends no new people to HubSpot' });
  }
  return { rows, outcomes, updates, upserts, creates, owedNames };
}

async function writeBatch(ctx: AppContext, api: HubspotApi, connection: Connection, batch: Prepared, state: RunState): Promise<Map<string, Outcome>> {
  const { outcomes, updates, upserts, creates, owedNames } = batch;
  await writeGroups(api, state, updates, outcomes, async (inputs) => {
    // Only the names still owed: one already written is the CRM users' to change.
    const owedOf = (i: WriteInput) => owedNames.get(i.key) ?? new Set<string>();
    const { missing } = await updateContacts(api, inputs.map((i) => ({ id: i.key, properties: { ...pick(i.names, owedOf(i)), ...i.properties } })));
    const owing = inputs.filter((i) => owedNames.has(i.key) && !missing.has(i.key));
    await namesStillOwed(ctx, connection.id, owing.map((i) => ({ id: i.key, names: i.leftOut.filter((n) => owedOf(i).has(n)) })));
    if (missing.size) {
      // Deleted or merged away in HubSpot: forget the link; a merge webhook relinks survivors.
      await ctx.db.delete(crmLinks).where(and(eq(crmLinks.connectionId, connection.id), inArray(crmLinks.externalId, [...missing])));
      for (const id of missing) for (const pid of updates.get(id)!.participants) outcomes.set(pid, { kind: 'done', note: `contact ${id} no longer exists in HubSpot; unlinked` });
    }
  });
  // Kept across writeGroups' attempts: when HubSpot refuses a name, the upsert is repeated without
  // it and finds the contacts it just created no longer new, but they are still owed their names.
  const created = new Set<string>();
  await writeGroups(api, state, upserts, outcomes, async (inputs) => {
    const { ids, created: createdNow } = await upsertContactsByEmail(api, inputs.map((i) => ({ email: i.key, properties: i.properties })));
    for (const email of createdNow) created.add(email);
    // A contact HubSpot just created gets the person's name too; an existing one keeps the name its
    // CRM users gave it, which is why names are not part of the upsert itself. The link records the
    // debt first: if the name's write fails, the retry finds the contact linked, and pays it. A name
    // HubSpot refuses lately (an admin's validation rule) is left out and stays owed, as in a create.
    const owing = inputs.filter((i) => created.has(i.key) && Object.keys(upserts.get(i.key)!.names).length).map((i) => ({ ...i, id: ids.get(i.key)! }));
    await linkAll(ctx, connection.id, upserts, ids, new Map(owing.map((i) => [i.id, Object.keys(upserts.get(i.key)!.names)])));
    const named = owing.filter((i) => Object.keys(i.names).length);
    if (named.length) {
      await updateContacts(api, named.map((i) => ({ id: i.id, properties: i.names })));
      await namesStillOwed(ctx, connection.id, named.map((i) => ({ id: i.id, names: i.leftOut })));
    }
  });
  if (creates.size) {
    await writeGroups(api, state, creates, outcomes, async (inputs) => {
      const existing = await findContactsByEmail(api, inputs.map((i) => i.key));
      for (const email of existing.keys()) for (const pid of creates.get(email)!.participants) {
        outcomes.set(pid, { kind: 'done', note: 'already in HubSpot; this campaign only creates contacts, it never changes existing ones' });
      }
      const fresh = inputs.filter((i) => !existing.has(i.key));
      const ids = await createContacts(api, fresh.map((i) => ({ email: i.key, properties: { ...i.names, ...i.properties } })));
      await linkAll(ctx, connection.id, creates, ids, new Map(fresh.flatMap((i) => (ids.has(i.key) && i.leftOut.length ? [[ids.get(i.key)!, i.leftOut]] : []))));
    });
  }
  return outcomes;
}

function addTo(groups: Map<string, Group>, key: string, p: Participant, props: Props): void {
  const g = groups.get(key) ?? { participants: [], email: p.email, properties: {}, names: {} };
  g.participants.push(p.id);
  Object.assign(g.properties, props);
  if (p.firstName && !('firstname' in props)) g.names.firstname = p.firstName;
  if (p.lastName && !('lastname' in props)) g.names.lastname = p.lastName;
  groups.set(key, g);
}

const stringify = (v: Record<string, string | number>): Props => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));

function pick(props: Props, names: Set<string>): Props {
  return Object.fromEntries(Object.entries(props).filter(([k]) => names.has(k)));
}

/** Links the contacts written by email; `owedNames`: contact id → the names it is still owed. */
async function linkAll(ctx: AppContext, connectionId: string, groups: Map<string, Group>, ids: Map<string, string>, owedNames = new Map<string, string[]>()): Promise<void> {
  const values = [...groups].flatMap(([email, g]) => {
    const id = ids.get(email);
    return id ? g.participants.map((participantId) => ({ participantId, connectionId, externalId: id, namesOwed: owedNames.get(id) ?? [] })) : [];
  });
  if (values.length === 0) return;
  await ctx.db
    .insert(crmLinks)
    .values(values)
    .onConflictDoUpdate({
      target: [crmLinks.participantId, crmLinks.connectionId],
      set: {
        externalId: sql`excluded.external_id`,
        // a repeated write finds the contact no longer new, but the names it is owed are still owed
        namesOwed: sql`case when ${crmLinks.externalId} = excluded.external_id
          then array(select distinct n from unnest(${crmLinks.namesOwed} || excluded.names_owed) n order by n) else excluded.names_owed end`,
      },
    });
  for (const v of values) forgetIdentity(connectionId, v.externalId);
}

/** After a write that carried the names owed to these contacts: what each is owed still (the names left out). */
async function namesStillOwed(ctx: AppContext, connectionId: string, contacts: { id: string; names: string[] }[]): Promise<void> {
  // One statement per set of names still owed (at most four: none, either, both).
  const bySet = new Map<string, { names: string[]; ids: string[] }>();
  for (const c of contacts) {
    const names = [...c.names].sort();
    const set = bySet.get(names.join()) ?? { names, ids: [] };
    set.ids.push(c.id);
    bySet.set(names.join(), set);
  }
  for (const { names, ids } of bySet.values()) {
    await ctx.db
      .update(crmLinks)
      .set({ namesOwed: names })
      .where(and(eq(crmLinks.connectionId, connectionId), inArray(crmLinks.externalId, ids), sql`${crmLinks.namesOwed} <> ${sql.param(names)}::text[]`));
  }
}

/** The database's clock as text (microseconds kept), comparable with crm_push_queue.dirty_at. */
export async function databaseNow(ctx: AppContext): Promise<string> {
  const rows = (await ctx.db.execute<{ now: string }>(sql`select now()::text as now`)) as unknown as { now: string }[];
  return rows[0]!.now;
}
