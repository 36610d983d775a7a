import { eq, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { outboundEvents, webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import { decrypt } from '../platform/crypto.ts';
import { refcardSignature } from '../platform/signatures.ts';
import { QUEUE_OPTIONS } from '../jobs/queues.ts';

const TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = (QUEUE_OPTIONS['outbound.deliver'].retryLimit ?? 0) + 1;

/**
 * Delivers one event to one endpoint. A non-2xx answer, a timeout or a network error throws, and
 * the job system retries with exponential back-off; every attempt is written to the delivery log.
 * The body is the stored event, byte for byte the same on every attempt, so receivers can
 * deduplicate by its `id`.
 */
export async function deliverWebhook(ctx: AppContext, deliveryId: string): Promise<void> {
  const [row] = await ctx.db
    .select({ delivery: webhookDeliveries, event: outboundEvents, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(outboundEvents, eq(outboundEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!row || row.delivery.status === 'succeeded' || row.endpoint.disabledAt) return;
  const body = JSON.stringify(row.event.payload);
  const secret = decrypt(ctx.config.encryptionKey, row.endpoint.secretEnc);
  const t = Math.floor(Date.now() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(row.endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Refcard-Webhooks/1',
        'refcard-event-id': row.event.id,
        'refcard-event-type': row.event.type,
        'refcard-signature': refcardSignature(secret, body, t),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel().catch(() => {});
    if (status < 200 || status >= 300) error = `answered HTTP ${status}`;
  } catch (err) {
    error = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : `could not connect: ${(err as Error).message}`;
  }
  const attempts = row.delivery.attempts + 1;
  const finalState = error === null ? 'succeeded' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
  await ctx.db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      status: finalState,
      lastStatusCode: status,
      lastError: error,
      lastAttemptAt: new Date(),
      ...(finalState === 'succeeded' && { deliveredAt: new Date() }),
    })
    .where(eq(webhookDeliveries.id, deliveryId));
  if (finalState === 'pending') throw new Error(`webhook delivery ${deliveryId} ${error}`);
}
