import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createIntercomEmulator, type IntercomEmulator } from '../emulators/intercom/index.ts';
import { eq } from 'drizzle-orm';
import { SESSION_COOKIE } from '../../server/admin/sessions.ts';
import { apiKeys } from '../../server/db/schema.ts';
import { ORIGIN, browserFor, signIn } from './support.ts';

// Signing in and out: the real OAuth round trip against the Intercom emulator, a session id an
// attacker planted before sign-in never becoming the signed-in one, every console page closed to
// a browser without a session, and sign-out guarded like every other form.

let t: TestApp;
let emu: IntercomEmulator;
let apiBase: string;
const clientId = `refcard-${randomBytes(4).toString('hex')}`;
const clientSecret = randomBytes(24).toString('hex');

beforeAll(async () => {
  emu = createIntercomEmulator();
  apiBase = await emu.listen();
  t = await startTestApp({ workers: false, env: { INTERCOM_CLIENT_ID: clientId, INTERCOM_CLIENT_SECRET: clientSecret, INTERCOM_API_BASE: apiBase, INTERCOM_AUTH_BASE: apiBase } });
  emu.setOutboundFetch(async (input, init) => t.app.fetch(new Request(input, init)));
  emu.registerApp({ clientId, clientSecret, name: 'Refcard', redirectUrls: [`${t.config.publicUrl}/oauth/intercom/callback`] });
  emu.createWorkspace({ idCode: 'signinws', name: 'Sign-in Workspace' });
});

afterAll(async () => {
  await emu?.close();
  await t?.stop();
});

/** A browser's cookie jar through the install flow: our install URL → consent (approved) → our callback. */
async function signInThroughIntercom(jar: Map<string, string>) {
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = c.split(';')[0]!.split('=');
      if (k && v !== undefined) jar.set(k.trim(), v.trim());
    }
  };
  const start = await t.app.request('/oauth/intercom/install?purpose=signin', { headers: { cookie: cookie() } });
  keep(start);
  expect(start.status).toBe(302);
  const consent = new URL(start.headers.get('location')!);
  expect(consent.origin).toBe(apiBase);
  consent.searchParams.set('approve', '1');
  consent.searchParams.set('workspace_id', 'signinws');
  const approved = await fetch(consent, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const back = new URL(approved.headers.get('location')!);
  const done = await t.app.request(`${back.pathname}${back.search}`, { headers: { cookie: cookie() } });
  keep(done);
  return done;
}

describe('signing in', () => {
  it('shows the sign-in choices to a browser without a session', async () => {
    const res = await t.app.request('/');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('href="/oauth/intercom/install?purpose=signin"');
    expect(html).toContain('Sign in with Intercom');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('a session id planted before sign-in is replaced by a fresh one, and the planted one opens nothing', async () => {
    const planted = randomBytes(32).toString('base64url');
    const jar = new Map([[SESSION_COOKIE, planted]]);
    const done = await signInThroughIntercom(jar);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/admin');
    const fresh = jar.get(SESSION_COOKIE)!;
    expect(fresh).not.toBe(planted);
    const cookieHeader = done.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookieHeader).toMatch(/HttpOnly/i);
    expect(cookieHeader).toMatch(/SameSite=Lax/i);

    const withPlanted = await t.app.request('/admin', { headers: { cookie: `${SESSION_COOKIE}=${planted}` } });
    expect(withPlanted.status).toBe(303);
    expect(withPlanted.headers.get('location')).toBe('/');
    const admin = await browserFor(t, fresh);
    const home = await admin.get('/admin/integrations');
    expect(home.html).toContain('Sign-in Workspace');
    // Signed in, `/` goes straight to the console.
    const root = await t.app.request('/', { headers: { cookie: admin.cookie } });
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/admin');
  });

  it('signing in again (a session already open) also gets a new id', async () => {
    const jar = new Map<string, string>();
    await signInThroughIntercom(jar);
    const first = jar.get(SESSION_COOKIE)!;
    await signInThroughIntercom(jar);
    const second = jar.get(SESSION_COOKIE)!;
    expect(second).not.toBe(first);
    const old = await t.app.request('/admin', { headers: { cookie: `${SESSION_COOKIE}=${first}` } });
    expect(old.status).toBe(303);
  });
});

describe('without a session', () => {
  it.each([
    '/admin',
    '/admin/integrations',
    '/admin/campaigns',
    '/admin/campaigns/new',
    '/admin/syncs',
    '/admin/participants',
    '/admin/audit',
    '/admin/api-keys',
    '/admin/webhooks',
    `/admin/campaigns/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`,
  ])('%s sends the browser to sign in', async (path) => {
    const res = await t.app.request(path);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('the progress JSON answers 401, and a POST changes nothing', async () => {
    const json = await t.app.request('/admin/syncs/00000000-0000-0000-0000-000000000000/progress.json');
    expect(json.status).toBe(401);
    const post = await t.app.request('/admin/api-keys', { method: 'POST', body: new URLSearchParams({ name: 'sneaky' }), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } });
    expect(post.status).toBe(303);
    expect(await t.ctx.db.select().from(apiKeys).where(eq(apiKeys.name, 'sneaky'))).toEqual([]);
  });
});

describe('signing out', () => {
  it('needs the CSRF token, then ends the session for good', async () => {
    const admin = await signIn(t, t.account.id);
    const refused = await admin.post('/signout', {}, { csrf: null });
    expect(refused.status).toBe(403);
    expect((await admin.get('/admin')).status).toBe(200);
    const foreign = await admin.post('/signout', {}, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(foreign.status).toBe(403);

    const out = await admin.post('/signout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/?signed_out');
    const after = await admin.get('/admin');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/');
  });
});
