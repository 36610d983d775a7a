import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

// One message carried across the redirect that follows a form (post/redirect/get), so reloading
// the page never repeats the action. Short-lived, HttpOnly, and only ever shown escaped.

const FLASH_COOKIE = 'rc_flash';

export interface Flash {
  type: 'success' | 'info' | 'warning' | 'danger';
  message: string;
}

export function setFlash(c: Context, flash: Flash): void {
  const value = Buffer.from(JSON.stringify({ type: flash.type, message: flash.message.slice(0, 600) })).toString('base64url');
  setCookie(c, FLASH_COOKIE, value, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 60, secure: new URL(c.req.url).protocol === 'https:' });
}

export function takeFlash(c: Context): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: '/' });
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flash>;
    const type = (['success', 'info', 'warning', 'danger'] as const).find((t) => t === v.type);
    return type && typeof v.message === 'string' ? { type, message: v.message.slice(0, 600) } : null;
  } catch {
    return null;
  }
}

/** Redirect after a successful form, with the message to show on the next page. */
export function done(c: Context, to: string, message: string, type: Flash['type'] = 'success') {
  setFlash(c, { type, message });
  return c.redirect(to, 303);
}
