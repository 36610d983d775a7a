import { Hono } from 'hono';
import { expect } from 'vitest';
import { startSession, SESSION_COOKIE, type SessionUser } from '../../server/admin/sessions.ts';
import { createAccount } from '../../server/program/accounts.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { createLead, enrolReferrer } from '../../server/program/participants.ts';
import { systemActor } from '../../server/program/actor.ts';
import type { TestApp } from '../support/app.ts';

// A browser for the console, in-process: a cookie jar, the session's CSRF token read from the
// pages like a browser form would, and same-origin headers unless a test says otherwise.

export const ORIGIN = 'http://refcard.test';

export interface Admin {
  cookie: string;
  sessionId: string;
  csrf: string;
  get(path: string): Promise<Page>;
  post(path: string, fields: Record<string, string | string[]>, opts?: { csrf?: string | null; headers?: Record<string, string> }): Promise<Page>;
}

export interface Page {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

/**
 * Signs an admin in the way finishInstall does (startSession on a request), through a tiny app
 * that only does that; the OAuth round trip itself is tested in session.test.ts.
 */
export async function signIn(t: TestApp, accountId: string, user: SessionUser = { provider: 'hubspot', id: '42', email: 'admin@acme.test', name: 'Ada Admin' }): Promise<Admin> {
  const helper = new Hono();
  helper.get('/test-sign-in', async (c) => {
    await startSession(t.ctx, c, accountId, user);
    return c.text('ok');
  });
  const res = await helper.request('/test-sign-in');
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!set) throw new Error('no session cookie');
  const sessionId = set.split(';')[0]!.split('=')[1]!;
  return browserFor(t, sessionId);
}

export async function browserFor(t: TestApp, sessionId: string): Promise<Admin> {
  const cookie = `${SESSION_COOKIE}=${sessionId}`;
  // Other cookies the console sets (the flash message after a form) come back like a browser's.
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit = {}): Promise<Page> => {
    const all = [cookie, ...[...jar].map(([k, v]) => `${k}=${v}`)].join('; ');
    // An empty value stands for "this browser sends no such header".
    const headers = Object.fromEntries(Object.entries({ cookie: all, ...(init.headers as Record<string, string>) }).filter(([, v]) => v !== ''));
    const res = await t.app.request(path, { ...init, headers });
    for (const set of res.headers.getSetCookie()) {
      const [pair, ...attrs] = set.split(';');
      const [k, v] = pair!.split('=') as [string, string];
      if (k === SESSION_COOKIE) continue;
      if (!v || attrs.some((a) => /max-age=0/i.test(a.trim()))) jar.delete(k);
      else jar.set(k, v);
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text(), headers: res.headers };
  };
  const admin: Admin = {
    cookie,
    sessionId,
    csrf: '',
    get: (path) => request(path),
    post: (path, fields, opts = {}) => {
      const body = new URLSearchParams();
      const token = opts.csrf === undefined ? admin.csrf : opts.csrf;
      if (token !== null) body.append('_csrf', token);
      for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return request(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...opts.headers },
      });
    },
  };
  const home = await admin.get('/admin');
  expect(home.status).toBe(200);
  admin.csrf = /name="_csrf" value="([^"]+)"/.exec(home.html)![1]!;
  return admin;
}

/** Every text of the page's body without tags, for reading it as a person would. */
export const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** A second account with a campaign, a referrer and a lead: what another tenant's admin must never reach. */
export async function otherTenant(t: TestApp, name = 'Other Co') {
  const account = await createAccount(t.ctx.db, name);
  return t.ctx.db.transaction(async (tx) => {
    const campaign = await createCampaign(tx, account.id, { name: `${name} campaign` }, systemActor());
    const referrer = await enrolReferrer(t.ctx, tx, { accountId: account.id, campaignId: campaign.id, email: `ref@${name.replace(/\W/g, '').toLowerCase()}.test`, firstName: 'Rita', source: 'api', actor: systemActor('api') });
    const lead = await createLead(t.ctx, tx, { accountId: account.id, referralCode: referrer.participant.code, email: `lead@${name.replace(/\W/g, '').toLowerCase()}.test`, firstName: 'Leo', source: 'api', actor: systemActor('api') });
    return { account, campaign, referrer: referrer.participant, lead: lead.participant };
  });
}

/** The tags of a page with their attribute names, read the way a browser tokenises them. */
export function tagsOf(html: string): { name: string; attrs: string[] }[] {
  const out: { name: string; attrs: string[] }[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>"'\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/g)) {
    const attrs = [...m[2]!.matchAll(/\s+([^\s=>"'\/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?/g)].map((a) => a[1]!.toLowerCase());
    out.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

/** Any tag with an event handler, any script but ours, any image, frame or svg: injected. */
export function expectNoInjectedMarkup(html: string, where: string) {
  const tags = tagsOf(html);
  expect(tags.filter((t) => t.attrs.some((a) => a.startsWith('on'))), where).toEqual([]);
  expect(tags.filter((t) => ['img', 'svg', 'iframe', 'b', 'object', 'embed'].includes(t.name)), where).toEqual([]);
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  expect(scripts.every((tag) => tag.includes('src="/admin/assets/console.js"')), where).toBe(true);
  expect(html, where).not.toMatch(/(href|src|action)="\s*javascript:/i);
}
