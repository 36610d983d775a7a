import { and, eq } from 'drizzle-orm';
import { connections } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { accessToken } from '../platform/connections.ts';
import { decrypt } from '../platform/crypto.ts';
import { hubspotConfig } from './app-meta.ts';
import { refreshAccessToken } from './oauth.ts';

/**
 * A usable access token for one portal: refreshed ahead of expiry under the connection's row lock
 * (one refresh per portal across every process); a refused refresh marks it disconnected.
 */
export function hubspotToken(ctx: AppContext, connectionId: string): Promise<string> {
  return accessToken(ctx, connectionId, (refreshToken) => refreshAccessToken(hubspotConfig(ctx), refreshToken));
}

/**
 * HubSpot answered 401 to `token` although we thought it fresh (clock skew, revoked access token):
 * mark it expired so the next hubspotToken() refreshes. Compare-and-set on the stored ciphertext,
 * so a 401 that arrives after another process already refreshed does not throw the new token away.
 */
export async function expireToken(ctx: AppContext, connectionId: string, token: string): Promise<void> {
  const [row] = await ctx.db.select({ enc: connections.accessTokenEnc }).from(connections).where(eq(connections.id, connectionId));
  if (!row?.enc || decrypt(ctx.config.encryptionKey, row.enc) !== token) return;
  await ctx.db
    .update(connections)
    .set({ accessTokenExpiresAt: new Date(0) })
    .where(and(eq(connections.id, connectionId), eq(connections.accessTokenEnc, row.enc)));
}
