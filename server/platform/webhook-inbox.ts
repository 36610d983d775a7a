import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { connections, webhookInbox } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';
import type { Provider } from './connections.ts';

export interface InboundEvent {
  /** unique per real event: a redelivery produces the same key */
  dedupeKey: string;
  eventType: string;
  payload: unknown;
  occurredAt?: Date | null;
}

/**
 * Stores inbound CRM events before they are acknowledged. Redeliveries hit the unique key and are
 * dropped; new events get one apply job per connection, enqueued in the same transaction, so an
 * acknowledged event is never lost and never applied twice.
 */
export async function storeInboundEvents(ctx: AppContext, provider: Provider, connectionId: string, events: InboundEvent[]): Promise<{ stored: number; duplicates: number }> {
  if (events.length === 0) return { stored: 0, duplicates: 0 };
  return ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(webhookInbox)
      .values(events.map((e) => ({ provider, connectionId, dedupeKey: e.dedupeKey, eventType: e.eventType, payload: e.payload, occurredAt: e.occurredAt ?? null })))
      .onConflictDoNothing()
      .returning({ id: webhookInbox.id });
    await tx.update(connections).set({ lastWebhookAt: sql`now()` }).where(eq(connections.id, connectionId));
    if (inserted.length > 0) await ctx.jobs.send(tx, QUEUES.inboxApply, { connectionId }, { singletonKey: `inbox:${connectionId}` });
    return { stored: inserted.length, duplicates: events.length - inserted.length };
  });
}

/**
 * Claims unapplied events of one connection, oldest first, locked so that two workers never apply
 * the same event; `apply` runs inside the same transaction and returns why it did what it did.
 */
export async function applyInboundEvents(
  ctx: AppContext,
  connectionId: string,
  apply: (tx: Tx, events: (typeof webhookInbox.$inferSelect)[]) => Promise<Map<number, string>>,
  batch = 200,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(webhookInbox)
        .where(and(eq(webhookInbox.connectionId, connectionId), isNull(webhookInbox.processedAt)))
        .orderBy(asc(webhookInbox.occurredAt), asc(webhookInbox.id))
        .limit(batch)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      const results = await apply(tx, rows);
      const byResult = new Map<string, number[]>();
      for (const r of rows) {
        const result = results.get(r.id) ?? 'ignored';
        byResult.set(result, [...(byResult.get(result) ?? []), r.id]);
      }
      for (const [result, ids] of byResult) {
        await tx.update(webhookInbox).set({ processedAt: sql`now()`, result }).where(inArray(webhookInbox.id, ids));
      }
      return rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
