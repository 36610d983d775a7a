import { Hono } from 'hono';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { connections } from '../db/schema.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { isStorableText, storableJson, storableText } from '../http/json-body.ts';
import { storeInboundEvents } from '../platform/webhook-inbox.ts';
import { findConnection } from '../platform/connections.ts';
import { WEBHOOK_PATH } from './app-meta.ts';
import { verifiedBody } from './signed-request.ts';

// HubSpot webhook intake: verify, store, answer. Events are written to the inbox (deduplicated)
// before the 200 goes out, so an acknowledged event is never lost; applying them is a job's work.
// HubSpot's eventId is not guaranteed unique, so the key adds portal, subscription, occurred-at,
// object and value. A 100-event batch is one transaction per portal: an answer in milliseconds,
// far inside HubSpot's 5 s.

const LAST_STORABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const OBJECT_TYPES: Record<string, string> = { '0-1': 'contact', '0-2': 'company', '0-3': 'deal', '0-5': 'ticket' };

export const HubspotEventSchema = z
  .object({
    eventId: z.union([z.number(), z.string()]),
    subscriptionId: z.union([z.number(), z.string()]),
    portalId: z.union([z.number(), z.string()]),
    // Milliseconds since the epoch, within what a timestamp column holds (an event outside is malformed).
    occurredAt: z.number().min(0).max(LAST_STORABLE_MS),
    subscriptionType: z.string().max(100),
    objectTypeId: z.string().optional(),
    objectId: z.union([z.number(), z.string()]).optional(),
    propertyName: z.string().optional(),
    propertyValue: z.string().nullable().optional(),
    changeSource: z.string().optional(),
    primaryObjectId: z.union([z.number(), z.string()]).optional(),
    mergedObjectIds: z.array(z.union([z.number(), z.string()])).optional(),
    newObjectId: z.union([z.number(), z.string()]).optional(),
    associationType: z.string().optional(),
    fromObjectId: z.union([z.number(), z.string()]).optional(),
    toObjectId: z.union([z.number(), z.string()]).optional(),
    associationRemoved: z.boolean().optional(),
  })
  .loose();
export type HubspotEvent = z.infer<typeof HubspotEventSchema>;

/** `contact.creation`, `deal.propertyChange`…: generic `object.*` events named like the legacy ones. */
export function eventName(e: Pick<HubspotEvent, 'subscriptionType' | 'objectTypeId'>): string {
  const [prefix, action] = e.subscriptionType.split('.');
  if (prefix !== 'object' || !action) return e.subscriptionType;
  return `${OBJECT_TYPES[e.objectTypeId ?? ''] ?? e.objectTypeId ?? 'object'}.${action}`;
}

export function dedupeKey(e: HubspotEvent): string {
  // (an association names its two ends instead of an object, and whether it was removed instead of a value)
  const object = e.objectId ?? (e.fromObjectId !== undefined ? `${e.fromObjectId}>${e.toObjectId ?? ''}` : '');
  const value = e.propertyValue ?? (e.associationRemoved !== undefined ? `removed=${e.associationRemoved}` : '');
  return [e.portalId, e.subscriptionId, e.eventId, e.occurredAt, object, value].join(':').slice(0, 500);
}

export function webhookRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.post(WEBHOOK_PATH, async (c) => {
    if (!ctx.config.hubspot) return problemResponse(c, problem(503, 'not_configured', 'This Refcard server has no HubSpot app credentials.'));
    const verified = await verifiedBody(ctx, c);
    if (!verified.ok) return verified.response;
    let raw: unknown;
    try {
      raw = JSON.parse(verified.body);
    } catch {
      return problemResponse(c, problem(400, 'malformed_request', 'The body is not JSON.', { field: 'body' }));
    }
    if (!Array.isArray(raw) || raw.length > 1000) return problemResponse(c, problem(400, 'malformed_request', 'Expected a JSON array of at most 1000 events.', { field: 'body' }));

    // One malformed event must not make HubSpot redeliver the whole batch: it is skipped, and said so.
    const events = raw.map((e) => HubspotEventSchema.safeParse(e)).flatMap((r) => (r.success ? [r.data] : []));
    // (a portal id PostgreSQL could not even compare — NUL, an unpaired surrogate — names no portal of ours)
    const portals = [...new Set(events.map((e) => String(e.portalId)))].filter(isStorableText);
    // (a delivery is almost always one portal's: the prepared single lookup then)
    const conns =
      portals.length === 1
        ? [await findConnection(ctx.db, 'hubspot', portals[0]!)].filter((c) => c !== null)
        : portals.length
          ? await ctx.db
              .select({ id: connections.id, externalId: connections.externalId })
              .from(connections)
              .where(and(eq(connections.provider, 'hubspot'), inArray(connections.externalId, portals)))
          : [];
    let stored = 0;
    let duplicates = 0;
    for (const conn of conns) {
      const mine = events.filter((e) => String(e.portalId) === conn.externalId);
      const r = await storeInboundEvents(
        ctx,
        'hubspot',
        conn.id,
        // Text PostgreSQL cannot store (NUL, unpaired surrogates) is replaced rather than failing the batch.
        mine.map((e) => ({ dedupeKey: storableText(dedupeKey(e)), eventType: storableText(eventName(e)), payload: storableJson(e), occurredAt: new Date(e.occurredAt) })),
      );
      stored += r.stored;
      duplicates += r.duplicates;
    }
    const unknownPortal = events.filter((e) => !conns.some((x) => x.externalId === String(e.portalId))).length;
    if (unknownPortal) ctx.log.info({ unknownPortal }, 'HubSpot webhook events for portals without a connection were ignored');
    return c.json({ received: raw.length, stored, duplicates, ignored: { malformed: raw.length - events.length, unknownPortal } });
  });
  return app;
}
