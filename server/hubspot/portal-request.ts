import type { Context } from 'hono';
import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { findConnection } from '../platform/connections.ts';
import { verifiedBody } from './signed-request.ts';

// The start of every hubspot.fetch route (card, actions, settings): the signature first, then the
// portal HubSpot names in the query (part of what it signed) → its connection → its account. The
// account comes from the portal and nothing else, so a card can only ever see its own data.

export interface PortalRequest {
  connection: Connection;
  body: string;
  user: { id: string | null; email: string | null };
}

export async function portalRequest(ctx: AppContext, c: Context): Promise<{ ok: true; value: PortalRequest } | { ok: false; response: Response }> {
  const verified = await verifiedPortal(ctx, c);
  if (!verified.ok) return verified;
  const connection = await findConnection(ctx.db, 'hubspot', verified.value.portalId);
  if (!connection) return { ok: false, response: notInstalled(c) };
  return { ok: true, value: { connection, body: verified.value.body, user: verified.value.user } };
}

/** The signature and the portal's and app's ids checked, before any database work. */
export async function verifiedPortal(ctx: AppContext, c: Context): Promise<{ ok: true; value: Omit<PortalRequest, 'connection'> & { portalId: string } } | { ok: false; response: Response }> {
  if (!ctx.config.hubspot) return { ok: false, response: problemResponse(c, problem(503, 'not_configured', 'This Refcard server has no HubSpot app credentials.')) };
  const verified = await verifiedBody(ctx, c);
  if (!verified.ok) return verified;
  const portalId = c.req.query('portalId');
  if (!portalId || !/^\d{1,20}$/.test(portalId)) {
    return { ok: false, response: problemResponse(c, problem(400, 'missing_portal', 'HubSpot did not say which portal this request comes from (portalId).', { field: 'portalId' })) };
  }
  const appId = c.req.query('appId');
  if (appId && ctx.config.hubspot.appId && appId !== String(ctx.config.hubspot.appId)) {
    return { ok: false, response: problemResponse(c, problem(403, 'wrong_app', 'This request was made for another HubSpot app.', { field: 'appId' })) };
  }
  return { ok: true, value: { portalId, body: verified.body, user: { id: c.req.query('userId') ?? null, email: c.req.query('userEmail') ?? null } } };
}

export function notInstalled(c: Context): Response {
  return problemResponse(c, problem(403, 'not_installed', 'Refcard is not installed in this HubSpot portal. An admin can install it from the HubSpot marketplace.'));
}
