import type { Context } from 'hono';
import { and, asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { campaigns, connections, type Campaign, type Connection } from '../../db/schema.ts';
import { loadCampaign } from '../../program/participants.ts';
import { notFound } from '../../program/errors.ts';
import type { AdminEnv } from '../guard.ts';

// Lookups every page shares, all scoped by the signed-in account: an id that is malformed or
// belongs to another account is the same 404, so ids reveal nothing.

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string | undefined | null): s is string => !!s && UUID_RE.test(s);

export type AdminContext = Context<AdminEnv>;

export const accountOf = (c: AdminContext) => c.get('session').accountId;

export async function ownCampaign(ctx: AppContext, c: AdminContext, id: string | undefined): Promise<Campaign> {
  if (!isUuid(id)) throw notFound('The campaign');
  return loadCampaign(ctx.db, accountOf(c), id);
}

export async function ownConnection(ctx: AppContext, c: AdminContext, id: string | undefined): Promise<Connection> {
  if (!isUuid(id)) throw notFound('The connection');
  const [row] = await ctx.db.select().from(connections).where(and(eq(connections.id, id), eq(connections.accountId, accountOf(c))));
  if (!row) throw notFound('The connection');
  return row;
}

export function campaignsOf(ctx: AppContext, c: AdminContext): Promise<Campaign[]> {
  return ctx.db.select().from(campaigns).where(eq(campaigns.accountId, accountOf(c))).orderBy(asc(campaigns.createdAt));
}

export function connectionsOf(ctx: AppContext, c: AdminContext): Promise<Connection[]> {
  return ctx.db.select().from(connections).where(eq(connections.accountId, accountOf(c))).orderBy(asc(connections.createdAt));
}

export const providerLabel = (p: 'hubspot' | 'intercom') => (p === 'hubspot' ? 'HubSpot' : 'Intercom');

export const connectionLabel = (conn: Pick<Connection, 'provider' | 'externalId' | 'name'>) =>
  `${providerLabel(conn.provider)} ${conn.provider === 'hubspot' ? 'portal' : 'workspace'} ${conn.name ? `${conn.name} (${conn.externalId})` : conn.externalId}`;

/** Money in minor units as text, e.g. 2500 USD → "USD 25.00". */
export const money = (cents: number, currency: string) => `${currency} ${(cents / 100).toFixed(2)}`;

export const personName = (p: { firstName: string | null; lastName: string | null }) => [p.firstName, p.lastName].filter(Boolean).join(' ') || null;
