import { and, eq, isNull } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { outboundEvents, webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/queues.ts';

export const EVENT_TYPES = ['referrer.created', 'lead.created', 'lead.qualified', 'lead.unqualified', 'reward.issued'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Records an outbound event and, in the same transaction, one delivery job per subscribed
 * endpoint: an event exists exactly when the change that caused it committed.
 */
export async function emitEvent(ctx: AppContext, tx: Tx, accountId: string, type: EventType, data: Record<string, unknown>): Promise<string> {
  const id = `evt_${randomBytes(12).toString('hex')}`;
  const createdAt = ctx.now();
  await tx.insert(outboundEvents).values({ id, accountId, type, createdAt, payload: { id, type, created_at: createdAt.toISOString(), data } });
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.accountId, accountId), isNull(webhookEndpoints.disabledAt)));
  for (const ep of endpoints) {
    if (ep.events.length > 0 && !ep.events.includes(type)) continue;
    const [delivery] = await tx.insert(webhookDeliveries).values({ accountId, eventId: id, endpointId: ep.id }).returning({ id: webhookDeliveries.id });
    await ctx.jobs.send(tx, QUEUES.outboundDeliver, { deliveryId: delivery!.id });
  }
  return id;
}
