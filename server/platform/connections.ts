import { and, eq, sql } from 'drizzle-orm';
import { connections, type Connection } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { decrypt, encrypt } from './crypto.ts';
import { ProgramError } from '../program/errors.ts';

export type Provider = 'hubspot' | 'intercom';

export interface TokenSet {
  accessToken: string;
  refreshToken?: string | null;
  /** null: the token does not expire (Intercom) */
  expiresAt: Date | null;
  scopes?: string[];
}

/**
 * Saves an install. Reinstalling updates the same connection (new tokens, connected again, pending
 * work kept); a portal/workspace already connected to another account is refused, so one tenant
 * can never see another's data.
 */
export async function saveConnection(
  ctx: AppContext,
  q: Queryable,
  input: { accountId: string; provider: Provider; externalId: string; name?: string | null; tokens: TokenSet; installedBy?: { id: string | null; email: string | null } },
): Promise<{ connection: Connection; created: boolean }> {
  const [existing] = await q.select().from(connections).where(and(eq(connections.provider, input.provider), eq(connections.externalId, input.externalId)));
  if (existing && existing.accountId !== input.accountId) {
    throw new ProgramError(409, 'connected_elsewhere', `This ${input.provider === 'hubspot' ? 'HubSpot portal' : 'Intercom workspace'} is already connected to another Refcard account.`);
  }
  const values = {
    accountId: input.accountId,
    provider: input.provider,
    externalId: input.externalId,
    name: input.name ?? existing?.name ?? null,
    status: 'connected' as const,
    statusReason: null,
    accessTokenEnc: encrypt(ctx.config.encryptionKey, input.tokens.accessToken),
    refreshTokenEnc: input.tokens.refreshToken ? encrypt(ctx.config.encryptionKey, input.tokens.refreshToken) : (existing?.refreshTokenEnc ?? null),
    accessTokenExpiresAt: input.tokens.expiresAt,
    scopes: input.tokens.scopes ?? existing?.scopes ?? [],
    installedBy: input.installedBy ?? existing?.installedBy ?? null,
    refreshFailures: 0,
    updatedAt: new Date(),
  };
  const [row] = existing
    ? await q.update(connections).set(values).where(eq(connections.id, existing.id)).returning()
    : await q.insert(connections).values(values).returning();
  return { connection: row!, created: !existing };
}

export async function findConnection(q: Queryable, provider: Provider, externalId: string): Promise<Connection | null> {
  const [row] = await connectionLookup(q).execute({ provider, externalId });
  return row ?? null;
}

// Every card, canvas and webhook request starts here: a prepared statement per pool or transaction
// skips both drizzle's query building and PostgreSQL's planning.
const lookups = new WeakMap<Queryable, ReturnType<typeof prepareLookup>>();
const prepareLookup = (q: Queryable) =>
  q
    .select()
    .from(connections)
    .where(and(eq(connections.provider, sql.placeholder('provider')), eq(connections.externalId, sql.placeholder('externalId'))))
    .prepare('find_connection');
function connectionLookup(q: Queryable) {
  let p = lookups.get(q);
  if (!p) lookups.set(q, (p = prepareLookup(q)));
  return p;
}

/** Visible to admins; pending pushes and syncs stay queued and resume on reconnect. */
export async function markDisconnected(q: Queryable, connectionId: string, reason: string): Promise<void> {
  await q.update(connections).set({ status: 'disconnected', statusReason: reason, updatedAt: new Date() }).where(eq(connections.id, connectionId));
}

export class ConnectionUnavailable extends Error {
  constructor(readonly connectionId: string, readonly reason: string) {
    super(`connection ${connectionId} is disconnected: ${reason}`);
  }
}

export type RefreshOutcome = { ok: true; tokens: TokenSet } | { ok: false; refused: boolean; message: string };

/** Refresh this long before expiry, so no request goes out with a token about to die. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * A usable access token. Tokens that expire are refreshed ahead of expiry under a row lock, and
 * re-checked after taking it: of many processes needing a token at once, one refreshes and the
 * others use its result. A refused refresh marks the connection disconnected; a transient failure
 * throws so the job retries.
 */
export async function accessToken(ctx: AppContext, connectionId: string, refresh: (refreshToken: string) => Promise<RefreshOutcome>): Promise<string> {
  const fresh = (c: Connection) => c.accessTokenEnc && (!c.accessTokenExpiresAt || c.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS);
  const [current] = await ctx.db.select().from(connections).where(eq(connections.id, connectionId));
  if (!current) throw new ConnectionUnavailable(connectionId, 'no such connection');
  if (current.status === 'disconnected') throw new ConnectionUnavailable(connectionId, current.statusReason ?? 'disconnected');
  if (fresh(current)) return decrypt(ctx.config.encryptionKey, current.accessTokenEnc!);

  // Disconnecting must outlive the refusal: the transaction answers what happened and commits,
  // and only then is ConnectionUnavailable thrown (thrown inside, it would roll the mark back).
  const result = await ctx.db.transaction(async (tx): Promise<{ token: string } | { unavailable: string } | { retry: string }> => {
    const [c] = await tx.select().from(connections).where(eq(connections.id, connectionId)).for('update');
    if (!c || c.status === 'disconnected') return { unavailable: c?.statusReason ?? 'disconnected' };
    if (fresh(c)) return { token: decrypt(ctx.config.encryptionKey, c.accessTokenEnc!) };
    if (!c.refreshTokenEnc) {
      await markDisconnected(tx, c.id, 'The access token expired and there is no refresh token; reconnect.');
      return { unavailable: 'no refresh token' };
    }
    const outcome = await refresh(decrypt(ctx.config.encryptionKey, c.refreshTokenEnc));
    if (!outcome.ok) {
      if (outcome.refused) {
        await markDisconnected(tx, c.id, `The ${c.provider === 'hubspot' ? 'HubSpot' : 'Intercom'} connection was revoked or expired (${outcome.message}); reconnect to resume.`);
        return { unavailable: outcome.message };
      }
      await tx.update(connections).set({ refreshFailures: sql`${connections.refreshFailures} + 1` }).where(eq(connections.id, c.id));
      return { retry: outcome.message };
    }
    await tx
      .update(connections)
      .set({
        accessTokenEnc: encrypt(ctx.config.encryptionKey, outcome.tokens.accessToken),
        // Some providers rotate the refresh token, some do not: keep what came back, else the old one.
        ...(outcome.tokens.refreshToken && { refreshTokenEnc: encrypt(ctx.config.encryptionKey, outcome.tokens.refreshToken) }),
        accessTokenExpiresAt: outcome.tokens.expiresAt,
        refreshFailures: 0,
        updatedAt: new Date(),
      })
      .where(eq(connections.id, c.id));
    return { token: outcome.tokens.accessToken };
  });
  if ('unavailable' in result) throw new ConnectionUnavailable(connectionId, result.unavailable);
  if ('retry' in result) throw new Error(`token refresh failed, will retry: ${result.retry}`);
  return result.token;
}
