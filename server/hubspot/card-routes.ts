import { Hono, type Context } from 'hono';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { crmLinks, participants, type Connection } from '../db/schema.ts';
import { problem, problemResponse, zodProblem } from '../http/problem.ts';
import { ConnectionUnavailable, findConnection } from '../platform/connections.ts';
import { buildContactView, buildLinkedContactView, fullName, type CrmContact } from '../program/contact-view.ts';
import { performContactAction } from '../program/contact-actions.ts';
import type { ContactAction } from '../../shared/view-model.ts';
import { hubspotApi } from './client.ts';
import { contactIdentity } from './contacts.ts';
import { HubspotApiError, HubspotUnavailable } from './errors.ts';
import { notInstalled, portalRequest, verifiedPortal } from './portal-request.ts';
import { databaseNow, pushProperties } from './property-sync.ts';
import { QUEUES } from '../jobs/queues.ts';

// The CRM card's two routes. GET answers from PostgreSQL alone, in one statement, for a contact
// Refcard knows (one linked through a sync, an enrolment or a write-back); only a contact it has
// never seen costs one HubSpot call, cached for a minute. POST runs a button's action, then pushes what the action
// changed to HubSpot before answering (bounded), so the card's refresh of the record's properties
// already shows the new values; the regular push job catches up with anything slower.

const PUSH_BEFORE_ANSWER_MS = 1500;
/** How often the card looks again for a connection's push lock that a push job holds. */
const LOCK_RETRY_MS = 100;

const ContactId = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{1,20}$/, 'must be a HubSpot contact id'));
const Uuid = z.uuid('must be a Refcard id');
const Reason = z.string().trim().max(500).optional();

const CardQuery = z.object({ contactId: ContactId, campaignId: Uuid.optional() });

const ActionBody = z.discriminatedUnion('action', [
  z.object({ contactId: ContactId, action: z.literal('qualify'), campaignId: Uuid, participantId: Uuid, reason: Reason }),
  z.object({ contactId: ContactId, action: z.literal('unqualify'), campaignId: Uuid, participantId: Uuid, reason: Reason }),
  z.object({ contactId: ContactId, action: z.literal('enrol'), campaignId: Uuid }),
  z.object({ contactId: ContactId, action: z.literal('select_campaign'), campaignId: Uuid }),
  z.object({ contactId: ContactId, action: z.literal('refresh'), campaignId: Uuid.optional() }),
]);

export function cardRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/hubspot/card', async (c) => {
    const req = await verifiedPortal(ctx, c);
    if (!req.ok) return req.response;
    const q = CardQuery.safeParse({ contactId: c.req.query('contactId'), campaignId: c.req.query('campaignId') || undefined });
    if (!q.success) return problemResponse(c, zodProblem(q.error, 'query'));
    const campaignId = q.data.campaignId ?? null;
    const linked = await buildLinkedContactView(ctx, { provider: 'hubspot', externalId: req.value.portalId, crmId: q.data.contactId, campaignId });
    if (!linked.connection) return notInstalled(c);
    if (linked.view) return c.json(linked.view);
    // No CRM link says who this is (the statement above looked): HubSpot is asked, with the full
    // connection its client needs.
    const connection = await findConnection(ctx.db, 'hubspot', req.value.portalId);
    if (!connection) return notInstalled(c);
    const contact = await hubspotContact(ctx, connection, q.data.contactId);
    if (!contact) return unavailable(c);
    return c.json(await buildContactView(ctx, { accountId: connection.accountId, connectionId: connection.id, contact, campaignId }));
  });

  app.post('/hubspot/card/actions', async (c) => {
    const req = await portalRequest(ctx, c);
    if (!req.ok) return req.response;
    let json: unknown;
    try {
      json = JSON.parse(req.value.body || 'null');
    } catch {
      return problemResponse(c, problem(400, 'malformed_request', 'The request body is not valid JSON.', { field: 'body' }));
    }
    const parsed = ActionBody.safeParse(json);
    if (!parsed.success) return problemResponse(c, zodProblem(parsed.error));
    const { contactId, ...action } = parsed.data;
    const { connection, user } = req.value;
    const contact = await crmContact(ctx, connection, contactId);
    if (!contact) return unavailable(c);
    const since = await databaseNow(ctx);
    const view = await performContactAction(ctx, {
      accountId: connection.accountId,
      connectionId: connection.id,
      contact,
      action: action as ContactAction,
      actor: { type: 'user', id: user.id, label: user.email, source: 'hubspot_card' },
    });
    if (connection.status === 'connected') await pushSoon(ctx, connection, since);
    return c.json(view);
  });

  return app;
}

/**
 * Who a HubSpot contact is: from a linked participant when there is one (no API call), else from
 * HubSpot (cached). Null when HubSpot cannot be asked right now.
 */
async function crmContact(ctx: AppContext, connection: Connection, contactId: string): Promise<CrmContact | null> {
  const [linked] = await ctx.db
    .select({ email: participants.email, firstName: participants.firstName, lastName: participants.lastName })
    .from(crmLinks)
    .innerJoin(participants, eq(participants.id, crmLinks.participantId))
    .where(and(eq(crmLinks.connectionId, connection.id), eq(crmLinks.externalId, contactId), isNull(participants.erasedAt)))
    .orderBy(desc(participants.updatedAt))
    .limit(1);
  if (linked?.email) return { crmId: contactId, email: linked.email, name: fullName(linked) };
  return hubspotContact(ctx, connection, contactId);
}

/** Who a HubSpot contact is, asked of HubSpot (cached); null when HubSpot cannot be asked right now. */
async function hubspotContact(ctx: AppContext, connection: Connection, contactId: string): Promise<CrmContact | null> {
  try {
    const who = await contactIdentity(hubspotApi(ctx, connection), contactId);
    return { crmId: contactId, email: who.email, name: who.name };
  } catch (err) {
    if (err instanceof ConnectionUnavailable || err instanceof HubspotUnavailable || err instanceof HubspotApiError) {
      ctx.log.warn({ err, portalId: connection.externalId }, 'could not read a HubSpot contact for the card');
      return null;
    }
    throw err;
  }
}

function unavailable(c: Context): Response {
  return problemResponse(c, problem(503, 'hubspot_unavailable', 'Refcard could not read this contact from HubSpot just now. Try again in a moment; if it persists, an admin may need to reconnect HubSpot.'));
}

/**
 * Push the action's changes now, but never keep the rep waiting long for HubSpot. Under the
 * connection's push lock, as the push job is: two pushes at once could land older values last. If
 * a push job holds it until the rep's wait is over, that job's next sweep sends these rows.
 */
async function pushSoon(ctx: AppContext, connection: Connection, since: string): Promise<void> {
  const deadline = Date.now() + PUSH_BEFORE_ANSWER_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const push = (async () => {
    while (!(await ctx.jobs.tryExclusive(QUEUES.crmPush, connection.id, () => pushProperties(ctx, connection, { since })))) {
      if (Date.now() + LOCK_RETRY_MS > deadline) return;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  })().catch((err) => ctx.log.warn({ err }, 'pushing card changes at once failed; the push job will retry'));
  await Promise.race([push, new Promise((r) => (timer = setTimeout(r, PUSH_BEFORE_ANSWER_MS)))]);
  clearTimeout(timer);
}
