import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { isStorableText, storableJson, storableText } from '../http/json-body.ts';
import { findConnection } from '../platform/connections.ts';
import { verifyIntercomWebhook } from '../platform/signatures.ts';
import { storeInboundEvents } from '../platform/webhook-inbox.ts';

// Webhook intake: verify, store (deduplicated by notification id), answer. Nothing is applied
// here — a job does that — so the answer comes in milliseconds, well inside the 500 ms Intercom
// prefers, and a notification is acknowledged only once it is safely in PostgreSQL.

const MAX_BODY = 1024 * 1024;
const LAST_STORABLE_SECONDS = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

interface Notification {
  type?: unknown;
  app_id?: unknown;
  id?: unknown;
  topic?: unknown;
  created_at?: unknown;
  data?: unknown;
}

export function webhookRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  // Intercom checks the URL with HEAD when it is saved in the Developer Hub (Hono answers HEAD from GET).
  app.get('/intercom/webhooks', (c) => c.body(null, 200));

  app.post('/intercom/webhooks', async (c) => {
    const secret = ctx.config.intercom?.clientSecret;
    if (!secret) return problemResponse(c, problem(503, 'intercom_not_configured', 'This server has no Intercom app credentials.'));
    const raw = await c.req.text();
    if (raw.length > MAX_BODY) return problemResponse(c, problem(413, 'body_too_large', 'The notification is larger than this endpoint accepts.'));
    const verdict = verifyIntercomWebhook(secret, raw, c.req.header('x-hub-signature'));
    if (!verdict.ok) return problemResponse(c, problem(401, 'invalid_signature', verdict.reason === 'missing' ? 'X-Hub-Signature is missing.' : 'X-Hub-Signature does not match the body.'));

    let n: Notification;
    try {
      n = JSON.parse(raw) as Notification;
    } catch {
      return problemResponse(c, problem(400, 'malformed_json', 'The notification is not valid JSON.'));
    }
    if (!n || typeof n !== 'object' || typeof n.topic !== 'string') return problemResponse(c, problem(400, 'not_a_notification', 'The body is not an Intercom notification.'));
    if (n.topic === 'ping') return c.json({ ok: true });
    if (typeof n.id !== 'string' || !n.id || typeof n.app_id !== 'string' || !n.app_id) {
      return problemResponse(c, problem(400, 'not_a_notification', 'The notification has no id or app_id.'));
    }

    // An id PostgreSQL could not even compare (NUL, an unpaired surrogate) names no workspace of ours.
    const connection = isStorableText(n.app_id) ? await findConnection(ctx.db, 'intercom', n.app_id) : null;
    if (!connection) {
      // Events come from every workspace that installed the app; one we don't know is not an error.
      ctx.log.info({ workspace: n.app_id, topic: n.topic }, 'Intercom notification for an unknown workspace ignored');
      return c.json({ ok: true, ignored: 'unknown workspace' });
    }
    // Seconds since the epoch; a time no timestamp column can hold is treated as unknown.
    const occurred = typeof n.created_at === 'number' && n.created_at >= 0 && n.created_at <= LAST_STORABLE_SECONDS ? new Date(n.created_at * 1000) : null;
    const { stored } = await storeInboundEvents(ctx, 'intercom', connection.id, [
      { dedupeKey: storableText(n.id.slice(0, 200)), eventType: storableText(n.topic.slice(0, 100)), payload: storableJson(n), occurredAt: occurred },
    ]);
    return c.json({ ok: true, duplicate: stored === 0 });
  });

  return app;
}
