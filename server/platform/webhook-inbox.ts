import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { connections, webhookInbox } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';
import type { Provider } from './connections.ts';
import { errorText, failsEveryTime, sqlState } from '../db/errors.ts';
import { storableText } from '../http/json-body.ts';

export interface InboundEvent {
  /** unique per real event: a redelivery produces the same key */
  dedupeKey: string;
  eventType: string;
  payload: unknown;
  occurredAt?: Date | null;
}

/**
 * Stores inbound CRM events before they are acknowledged. Redeliveries hit the unique key and are
 * dropped; new events get an apply job for their connection, so an acknowledged event is never lost
 * and never applied twice.
 *
 * HubSpot delivers up to ten batches of one portal at once, and they must not queue behind each
 * other: a connection has at most one apply job queued, and two transactions inserting it wait
 * for each other's commit. So only the transaction holding the connection's advisory lock
 * enqueues inside the transaction; one that finds it taken enqueues right after its commit (the
 * lock holder's job may already be running and have missed these rows). If the process dies in
 * between, `sweepInbox` starts the job within a minute.
 */
export async function storeInboundEvents(ctx: AppContext, provider: Provider, connectionId: string, events: InboundEvent[]): Promise<{ stored: number; duplicates: number }> {
  if (events.length === 0) return { stored: 0, duplicates: 0 };
  const out = await ctx.db.transaction(async (tx) => {
    // One statement of the same text for any batch size (the batch as one JSON parameter, not a
    // row of parameters per event), so a 100-event batch is one short round trip.
    const batch = JSON.stringify(events.map((e) => ({ dedupe_key: e.dedupeKey, event_type: e.eventType, payload: e.payload, occurred_at: e.occurredAt?.toISOString() ?? null })));
    // (the advisory lock is tried in the same statement: one round trip fewer on every delivery)
    const [{ inserted, mine }] = (await tx.execute(sql`
      with ins as (
        insert into webhook_inbox (provider, connection_id, dedupe_key, event_type, payload, occurred_at)
        select ${provider}, ${connectionId}::uuid, e.dedupe_key, e.event_type, e.payload, e.occurred_at
        from json_to_recordset(${batch}::json) as e(dedupe_key text, event_type text, payload jsonb, occurred_at timestamptz)
        on conflict do nothing
        returning id)
      select count(*)::int as inserted,
             count(*) > 0 and pg_try_advisory_xact_lock(hashtextextended(${`inbox:${connectionId}`}, 0)) as mine
      from ins`)) as unknown as [{ inserted: number; mine: boolean }];
    if (inserted === 0) return { stored: 0, duplicates: events.length, wakeAfterCommit: false };
    if (mine) await ctx.jobs.wake(tx, QUEUES.inboxApply, connectionId);
    return { stored: inserted, duplicates: events.length - inserted, wakeAfterCommit: !mine };
  });
  if (out.wakeAfterCommit) await ctx.jobs.wake(ctx.db, QUEUES.inboxApply, connectionId);
  // Not awaited: the acknowledgement does not wait for the settings page's "last webhook".
  noteWebhookReceived(ctx, connectionId).catch((err) => ctx.log.warn({ err, connectionId }, 'noting the last webhook failed'));
  return { stored: out.stored, duplicates: out.duplicates };
}

/**
 * "Last webhook" for the settings page, at most once a second per connection and never waiting:
 * a row lock held by a token refresh or another delivery must not slow an acknowledgement.
 */
async function noteWebhookReceived(ctx: AppContext, connectionId: string): Promise<void> {
  await ctx.db.execute(sql`
    update connections set last_webhook_at = now()
    where id = (select id from connections where id = ${connectionId}
                and (last_webhook_at is null or last_webhook_at < now() - interval '1 second')
                for update skip locked)`);
}

/** Safety net under the apply jobs (run by the tick): any connection with events waiting a minute gets its job. */
export async function sweepInbox(ctx: AppContext): Promise<void> {
  const waiting = await ctx.db
    .selectDistinct({ id: connections.id })
    .from(webhookInbox)
    .innerJoin(connections, eq(connections.id, webhookInbox.connectionId))
    .where(and(eq(connections.status, 'connected'), isNull(webhookInbox.processedAt), lt(webhookInbox.receivedAt, sql`now() - interval '1 minute'`)));
  for (const c of waiting) await ctx.jobs.wake(ctx.db, QUEUES.inboxApply, c.id);
}

type InboxRow = typeof webhookInbox.$inferSelect;
type Apply = (tx: Tx, events: InboxRow[]) => Promise<Map<number, string>>;

/** The oldest unapplied events of a connection (by when they happened), for a drain to read ahead for. */
export function unappliedEvents(ctx: AppContext, connectionId: string, limit: number): Promise<InboxRow[]> {
  return ctx.db
    .select()
    .from(webhookInbox)
    .where(and(eq(webhookInbox.connectionId, connectionId), isNull(webhookInbox.processedAt)))
    .orderBy(asc(webhookInbox.occurredAt), asc(webhookInbox.id))
    .limit(limit);
}

/**
 * Applies events the caller has chosen (and read ahead for from the CRM, outside any
 * transaction): claims those of `ids` still unapplied, locked so that two workers never apply the
 * same event, and runs `apply` in the same transaction, which returns why it did what it did.
 * Returns how many it applied.
 *
 * An event that fails the same way every time must not hold up the ones after it for ever: when
 * a batch fails so, its events are applied one at a time, and the one that still fails is set
 * aside with the error as its result (and logged). Errors that may pass fail the job, which retries.
 */
export async function applyClaimedEvents(ctx: AppContext, ids: number[], apply: Apply): Promise<number> {
  if (ids.length === 0) return 0;
  try {
    return await claimAndApply(ctx, ids, apply);
  } catch (err) {
    if (!failsEveryTime(err)) throw err;
  }
  let n = 0;
  for (const id of ids) {
    try {
      n += await claimAndApply(ctx, [id], apply);
    } catch (err) {
      if (!failsEveryTime(err)) throw err;
      const reason = errorText(err);
      // (a bug's stack is worth having; a database error's wrapper would log the statement's parameters)
      ctx.log.error({ inboxId: id, reason, stack: sqlState(err) ? undefined : (err as Error).stack }, 'an inbound CRM event fails every time it is applied; it is set aside');
      n += await setAside(ctx, id, `failed: ${reason}`);
    }
  }
  return n;
}

async function claimAndApply(ctx: AppContext, ids: number[], apply: Apply): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(webhookInbox)
      .where(and(inArray(webhookInbox.id, ids), isNull(webhookInbox.processedAt)))
      .for('update', { skipLocked: true });
    if (rows.length === 0) return 0;
    const results = await apply(tx, rows);
    // One statement for the whole batch: results are mostly distinct texts, one update each would cost a round trip per event.
    await tx.execute(sql`
      update webhook_inbox w set processed_at = now(), result = r.result
      from unnest(${sql.param(rows.map((r) => r.id))}::bigint[], ${sql.param(rows.map((r) => results.get(r.id) ?? 'ignored'))}::text[]) as r(id, result)
      where w.id = r.id`);
    return rows.length;
  });
}

async function setAside(ctx: AppContext, id: number, result: string): Promise<number> {
  const done = await ctx.db
    .update(webhookInbox)
    .set({ processedAt: sql`now()`, result: storableText(result).slice(0, 1000) })
    .where(and(eq(webhookInbox.id, id), isNull(webhookInbox.processedAt)))
    .returning({ id: webhookInbox.id });
  return done.length;
}
