import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { oauthStates } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { randomToken, sha256Hex } from './crypto.ts';
import type { Provider } from './connections.ts';
import { ProgramError } from '../program/errors.ts';
import { readSession } from '../admin/sessions.ts';

const BROWSER_COOKIE = 'rc_oauth';
const STATE_TTL_MS = 10 * 60 * 1000;

export type OAuthPurpose = 'install' | 'signin';

/**
 * Starts an OAuth round trip: a random `state`, stored hashed, single use, expiring in ten
 * minutes, and bound to this browser by a cookie, so a code obtained in another browser (login
 * CSRF) or for another provider (mix-up) is refused at the callback.
 */
export async function beginOAuth(ctx: AppContext, c: Context, input: { provider: Provider; purpose: OAuthPurpose; accountId?: string | null; returnTo?: string | null }): Promise<string> {
  let browser = getCookie(c, BROWSER_COOKIE);
  if (!browser || browser.length > 100) {
    browser = randomToken(24);
    // Lax: the cookie must come back on the top-level redirect from the provider's consent page.
    setCookie(c, BROWSER_COOKIE, browser, { httpOnly: true, sameSite: 'Lax', secure: ctx.config.publicUrl.startsWith('https://'), path: '/oauth', maxAge: 3600 });
  }
  const state = randomToken(24);
  await ctx.db.insert(oauthStates).values({
    stateHash: sha256Hex(state),
    provider: input.provider,
    purpose: input.purpose,
    accountId: input.accountId ?? null,
    browserHash: sha256Hex(browser),
    returnTo: safeReturnTo(input.returnTo),
    expiresAt: new Date(Date.now() + STATE_TTL_MS),
  });
  return state;
}

/**
 * What an install link asks for: `?purpose=signin` signs in to the account that owns the
 * portal/workspace; otherwise it is an install, and an admin already signed in connects it to
 * THEIR account (refused if it belongs to another), never to whichever account owns it.
 */
export async function installIntent(ctx: AppContext, c: Context): Promise<{ purpose: OAuthPurpose; accountId: string | null }> {
  if (c.req.query('purpose') === 'signin') return { purpose: 'signin', accountId: null };
  return { purpose: 'install', accountId: (await readSession(ctx, c))?.accountId ?? null };
}

/** Consumes the state exactly once; throws a 400 ProgramError naming what is wrong. */
export async function completeOAuth(ctx: AppContext, c: Context, provider: Provider, state: string | undefined): Promise<{ purpose: OAuthPurpose; accountId: string | null; returnTo: string | null }> {
  if (!state || state.length > 200) throw new ProgramError(400, 'invalid_state', 'The sign-in link is missing its state; start again.', 'state');
  const [row] = await ctx.db
    .update(oauthStates)
    .set({ usedAt: new Date() })
    .where(and(eq(oauthStates.stateHash, sha256Hex(state)), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, new Date())))
    .returning();
  if (!row) throw new ProgramError(400, 'invalid_state', 'This sign-in link has expired or was already used; start again.', 'state');
  if (row.provider !== provider) throw new ProgramError(400, 'state_mismatch', 'This sign-in was started for another service; start again.', 'state');
  const browser = getCookie(c, BROWSER_COOKIE);
  if (!browser || sha256Hex(browser) !== row.browserHash) {
    throw new ProgramError(400, 'state_mismatch', 'This sign-in was started in another browser; start again here.', 'state');
  }
  return { purpose: row.purpose, accountId: row.accountId, returnTo: row.returnTo };
}

/** Only same-site paths: an OAuth round trip must never become an open redirect. */
function safeReturnTo(v: string | null | undefined): string | null {
  return v && /^\/(?!\/)[\w\-./?=&%]*$/.test(v) ? v : null;
}
