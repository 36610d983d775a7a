import type { Context, MiddlewareHandler } from 'hono';
import { timingSafeEqual, createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { accounts } from '../db/schema.ts';
import type { Actor } from '../program/actor.ts';
import { readSession, type Session } from './sessions.ts';

// Who may use the console and how a form proves it came from the console itself. Every /admin
// request needs a session; every state-changing request must also carry the session's CSRF token
// and, when the browser says where it came from, come from this site.

export interface AdminEnv {
  Variables: {
    session: Session;
    accountName: string;
    /** the parsed form of a POST, read once by the CSRF check and reused by the handler */
    form: FormFields;
  };
}

export type FormFields = Record<string, string | string[]>;

export const CSRF_FIELD = '_csrf';
/** Forms are small (a mapping page of a few hundred rows is the largest); routes.tsx enforces it. */
export const MAX_FORM_BYTES = 512 * 1024;

/** A signed-in admin or a redirect to the sign-in page (pages) / 401 (JSON). */
export function requireSession(ctx: AppContext): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const session = await readSession(ctx, c);
    if (!session) {
      if (c.req.path.endsWith('.json')) return c.json({ error: 'signed_out' }, 401);
      return c.redirect('/', 303);
    }
    const [account] = await ctx.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, session.accountId));
    if (!account) return c.redirect('/', 303);
    c.set('session', session);
    c.set('accountName', account.name);
    c.header('cache-control', 'no-store');
    await next();
  };
}

/**
 * Refuses a state-changing request unless (1) the browser, when it says so, sent it from this
 * site (Origin / Sec-Fetch-Site) and (2) its form carries this session's CSRF token, compared in
 * constant time. SameSite=Lax already keeps the cookie off cross-site POSTs; this holds even for
 * a browser or a sibling subdomain where that is not enough.
 */
export function verifyCsrf(ctx: AppContext): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!sameSite(ctx, c)) return refuse(c, 'This request came from another site.');
    const form = await readForm(c);
    if (!form) return refuse(c, 'This request is not a form.');
    const session = c.get('session');
    const sent = form[CSRF_FIELD];
    if (typeof sent !== 'string' || !tokensEqual(sent, session.csrfToken)) {
      return refuse(c, 'This form has expired or did not come from the console. Go back, reload the page and try again.');
    }
    c.set('form', form);
    await next();
  };
}

/** Same check for the one POST outside /admin (sign out), which may have no session left. */
export async function checkSignOut(ctx: AppContext, c: Context, session: Session | null): Promise<boolean> {
  if (!sameSite(ctx, c)) return false;
  if (!session) return true; // nothing to protect: signing out a signed-out browser is a no-op
  const form = await readForm(c);
  const sent = form?.[CSRF_FIELD];
  return typeof sent === 'string' && tokensEqual(sent, session.csrfToken);
}

/**
 * Fetch Metadata first: browsers set Sec-Fetch-Site themselves and pages cannot forge it. (Origin
 * alone is not enough: under the `Referrer-Policy: no-referrer` these pages are served with,
 * Chromium sends `Origin: null` even for a same-origin form.) Without it, Origin decides; with
 * neither, an old browser or a script, the CSRF token alone does.
 */
export function sameSite(ctx: Pick<AppContext, 'config'>, c: Context): boolean {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  const allowed = new Set([new URL(ctx.config.publicUrl).origin, new URL(c.req.url).origin]);
  return allowed.has(origin);
}

/** Hashing first gives equal lengths, so timingSafeEqual never throws and leaks no length either. */
function tokensEqual(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

async function readForm(c: Context): Promise<FormFields | null> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return null;
  try {
    const body = await c.req.parseBody({ all: true });
    const out: FormFields = {};
    for (const [k, v] of Object.entries(body)) {
      if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
      else if (typeof v === 'string') out[k] = v;
    }
    return out;
  } catch {
    return null;
  }
}

function refuse(c: Context, message: string) {
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refused</title><link rel="stylesheet" href="/admin/assets/console.css"></head><body><main class="narrow"><h1>Refused</h1><p>${message}</p><p><a href="/admin">Back to the console</a></p></main></body></html>`,
    403,
  );
}

/** The admin as recorded on audit events. */
export function adminActor(session: Session): Actor {
  return { type: 'user', id: `${session.user.provider}:${session.user.id}`, label: session.user.email ?? session.user.name ?? 'admin', source: 'admin' };
}

/** One value of a form field (the first when repeated), trimmed. */
export const field = (form: FormFields, name: string): string => {
  const v = form[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
};

/** Every value of a repeated field (checkbox groups). */
export const fields = (form: FormFields, name: string): string[] => {
  const v = form[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
};
