import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { campaigns, crmLinks, crmPushQueue, participants, type Campaign, type Connection, type Participant } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { outboundValues } from '../../shared/mapping.ts';
import { ConnectionUnavailable } from '../platform/connections.ts';
import { linkCrmRecord } from '../program/crm-links.ts';
import { fullName } from '../program/contact-view.ts';
import { intercomApi, type IntercomApi } from './client.ts';
import { createOrAdoptContact, findContactByEmail, updateAttributes, type AttributeValues } from './contacts.ts';
import { ensureDataAttributes } from './attributes.ts';
import { IntercomApiError, IntercomUnavailable, isMissingAttribute } from './errors.ts';
import { mapLimit } from './concurrency.ts';
import { participantValues } from '../program/participant-values.ts';

// Attribute write-back: drains the connection's crm_push_queue. A row stands for "this person
// changed" (however many times), so one PUT carries the latest values. A row is deleted only if
// no newer change arrived while it was being pushed; otherwise the next pass pushes again.

const BATCH = 100;
const PARALLEL = 8;
/** Rows refused this many times for good (bad mapping, invalid value) wait for an admin, visibly. */
export const MAX_PUSH_ATTEMPTS = 3;

type Outcome = { kind: 'done'; note?: string } | { kind: 'failed'; message: string } | { kind: 'retry'; message: string } | { kind: 'disconnected' };
type Row = typeof crmPushQueue.$inferSelect;
interface RunState {
  ensuring: Promise<unknown> | null;
}

export async function pushAttributes(ctx: AppContext, connection: Connection): Promise<void> {
  // Disconnected: the rows stay queued; reconnecting enqueues a push that finds them.
  if (connection.status !== 'connected') return;
  const api = intercomApi(ctx, connection);
  const state: RunState = { ensuring: null };
  // Keyset over the participant id: each row is visited once per run, so a row that fails is left
  // for the job's retry instead of being hammered in a loop. A row changed again behind the keyset
  // is pushed by the job its change queued.
  let after: string | null = null;
  let retry = 0;
  for (;;) {
    const rows: Row[] = await ctx.db
      .select()
      .from(crmPushQueue)
      .where(
        and(
          eq(crmPushQueue.connectionId, connection.id),
          lt(crmPushQueue.attempts, MAX_PUSH_ATTEMPTS),
          after ? gt(crmPushQueue.participantId, after) : undefined,
        ),
      )
      .orderBy(asc(crmPushQueue.participantId))
      .limit(BATCH);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.participantId;
    const outcomes = await pushBatch(ctx, api, connection, rows, state);
    await record(ctx, connection.id, rows, outcomes);
    if (outcomes.some((o) => o.kind === 'disconnected')) return;
    retry += outcomes.filter((o) => o.kind === 'retry').length;
  }
  // Throwing hands the rows that met a transient failure to the job's retry with back-off.
  if (retry > 0) throw new IntercomUnavailable(`${retry} attribute update(s) for workspace ${connection.externalId} will be retried`);
}

async function pushBatch(ctx: AppContext, api: IntercomApi, connection: Connection, rows: Row[], state: RunState): Promise<Outcome[]> {
  const ids = rows.map((r) => r.participantId);
  const people = await ctx.db.select().from(participants).where(and(inArray(participants.id, ids), eq(participants.accountId, connection.accountId)));
  const byId = new Map(people.map((p) => [p.id, p]));
  const campaignIds = [...new Set(people.map((p) => p.campaignId))];
  const campaignRows = campaignIds.length ? await ctx.db.select().from(campaigns).where(inArray(campaigns.id, campaignIds)) : [];
  const campaignById = new Map(campaignRows.map((c) => [c.id, c]));
  const links = await ctx.db
    .select()
    .from(crmLinks)
    .where(and(eq(crmLinks.connectionId, connection.id), inArray(crmLinks.participantId, ids)));
  const linkOf = new Map(links.map((l) => [l.participantId, l.externalId]));
  const values = await participantValues(ctx, ctx.db, people.filter((p) => !p.erasedAt), campaignById);
  // every live participant costs at least one call (an update, or a search when not linked yet)
  await api.reserve(people.filter((p) => !p.erasedAt).length);

  return mapLimit(rows, PARALLEL, async (row): Promise<Outcome> => {
    const p = byId.get(row.participantId);
    if (!p || p.erasedAt) return { kind: 'done', note: 'erased or gone' };
    const campaign = campaignById.get(p.campaignId)!;
    const attrs = outboundValues(campaign.fieldMapping.intercom.outbound, values.get(p.id)!);
    try {
      return await withAttributes(api, state, () => pushOne(ctx, api, connection, p, campaign, linkOf.get(p.id) ?? null, attrs));
    } catch (err) {
      if (err instanceof ConnectionUnavailable) return { kind: 'disconnected' };
      if (err instanceof IntercomUnavailable) return { kind: 'retry', message: err.message };
      if (err instanceof IntercomApiError) return { kind: 'failed', message: err.message };
      throw err;
    }
  });
}

/** One participant: update the linked contact, else find by email, else create per campaign setting. */
async function pushOne(ctx: AppContext, api: IntercomApi, connection: Connection, p: Participant, campaign: Campaign, linked: string | null, attrs: AttributeValues): Promise<Outcome> {
  if (Object.keys(attrs).length === 0) return { kind: 'done', note: 'nothing mapped' };
  if (linked) {
    if (await updateAttributes(api, linked, attrs)) return { kind: 'done' };
    // The contact was deleted or merged in Intercom: forget it and match by email again.
    await ctx.db.delete(crmLinks).where(and(eq(crmLinks.participantId, p.id), eq(crmLinks.connectionId, connection.id), eq(crmLinks.externalId, linked)));
  }
  if (!p.email) return { kind: 'done', note: 'no email' };
  const existing = await findContactByEmail(api, p.email);
  if (existing) {
    await linkCrmRecord(ctx.db, p.id, connection.id, existing.id);
    if (await updateAttributes(api, existing.id, attrs)) return { kind: 'done' };
  }
  const setting = campaign.settings.intercomNewParticipants;
  if (setting === 'nothing') return { kind: 'done', note: 'not in Intercom; campaign creates no contacts' };
  const made = await createOrAdoptContact(api, { role: setting, email: p.email, name: fullName(p), values: attrs });
  await linkCrmRecord(ctx.db, p.id, connection.id, made.id);
  return { kind: 'done' };
}

/** Creates the data attributes once per run if Intercom says one is missing (deleted by hand, install hiccup). */
async function withAttributes<T>(api: IntercomApi, state: RunState, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isMissingAttribute(err)) throw err;
    await (state.ensuring ??= ensureDataAttributes(api));
    return fn();
  }
}

async function record(ctx: AppContext, connectionId: string, rows: Row[], outcomes: Outcome[]): Promise<void> {
  const done = rows.filter((_, i) => outcomes[i]!.kind === 'done');
  if (done.length) {
    // Only rows whose version is unchanged: a change that arrived mid-push is pushed next time.
    const pairs = sql.join(done.map((r) => sql`(${r.participantId}::uuid, ${r.version}::int)`), sql`, `);
    await ctx.db.execute(sql`
      delete from crm_push_queue
      where connection_id = ${connectionId} and (participant_id, version) in (${pairs})`);
  }
  for (const [i, row] of rows.entries()) {
    const o = outcomes[i]!;
    if (o.kind !== 'failed' && o.kind !== 'retry') continue;
    await ctx.db
      .update(crmPushQueue)
      .set({ lastError: o.message.slice(0, 500), ...(o.kind === 'failed' && { attempts: sql`${crmPushQueue.attempts} + 1` }) })
      .where(and(eq(crmPushQueue.connectionId, connectionId), eq(crmPushQueue.participantId, row.participantId), eq(crmPushQueue.version, row.version)));
  }
}
