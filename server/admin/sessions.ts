import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { and, eq, gt, lt } from 'drizzle-orm';
import { sessions } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { randomToken, sha256Hex } from '../platform/crypto.ts';

export const SESSION_COOKIE = 'rc_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export type SessionUser = (typeof sessions.$inferSelect)['user'];
export interface Session {
  accountId: string;
  user: SessionUser;
  csrfToken: string;
}

const secure = (ctx: AppContext) => ctx.config.publicUrl.startsWith('https://');

/**
 * A new session on every sign-in (a fresh random id, never one the browser brought: no fixation).
 * The cookie holds the id; the table only its hash.
 */
export async function startSession(ctx: AppContext, c: Context, accountId: string, user: SessionUser): Promise<void> {
  const old = getCookie(c, SESSION_COOKIE);
  if (old) await ctx.db.delete(sessions).where(eq(sessions.idHash, sha256Hex(old)));
  const id = randomToken(32);
  await ctx.db.insert(sessions).values({ idHash: sha256Hex(id), accountId, user, csrfToken: randomToken(24), expiresAt: new Date(Date.now() + SESSION_TTL_MS) });
  setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Lax', secure: secure(ctx), path: '/', maxAge: SESSION_TTL_MS / 1000 });
}

export async function readSession(ctx: AppContext, c: Context): Promise<Session | null> {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id || id.length > 100) return null;
  const [row] = await ctx.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.idHash, sha256Hex(id)), gt(sessions.expiresAt, new Date())));
  return row ? { accountId: row.accountId, user: row.user, csrfToken: row.csrfToken } : null;
}

export async function endSession(ctx: AppContext, c: Context): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE);
  if (id) await ctx.db.delete(sessions).where(eq(sessions.idHash, sha256Hex(id)));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  await ctx.db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
