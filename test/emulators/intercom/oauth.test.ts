// OAuth on the emulator's auth base: consent page (form a browser can submit), programmatic
// approval, single-use codes that expire after five minutes, the token exchange in both
// encodings, never-expiring tokens, and revocation by uninstall.
import { existsSync } from 'node:fs';
import { IntercomClient, IntercomError } from 'intercom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, harness, receiver } from './harness.ts';
import type { IntercomEmulator } from './index.ts';

let toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => { for (const c of toClose) await c.close(); toClose = []; });

const consentUrl = (emu: IntercomEmulator, extra = '') =>
  `${emu.url}/oauth?client_id=${CLIENT_ID}&state=st-123&redirect_uri=${encodeURIComponent(REDIRECT)}${extra}`;

const exchange = (emu: IntercomEmulator, code: string, asJson = false, secret = CLIENT_SECRET) =>
  emu.fetch(`${emu.url}/auth/eagle/token`, asJson
    ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, client_id: CLIENT_ID, client_secret: secret }) }
    : { method: 'POST', body: new URLSearchParams({ code, client_id: CLIENT_ID, client_secret: secret }) });

/** Submits the consent form the way a browser would, from the page's own HTML. */
async function approveViaForm(emu: IntercomEmulator, decision: 'approve' | 'deny' = 'approve') {
  const page = await emu.fetch(consentUrl(emu));
  const html = await page.text();
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(name, value.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))));
  form.set('workspace', /<option value="([^"]+)" selected>/.exec(html)![1]);
  form.set('decision', decision);
  const action = /<form method="post" action="([^"]+)">/.exec(html)![1];
  return emu.fetch(`${emu.url}${action}`, { method: 'POST', body: form, redirect: 'manual' });
}

describe('consent', () => {
  test('the consent page is HTML with an Approve button, and approving redirects with code and state', async () => {
    const h = harness();
    const page = await h.emu.fetch(consentUrl(h.emu));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('id="approve"');
    const res = await approveViaForm(h.emu);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
  });

  test('cancelling redirects with error=access_denied', async () => {
    const h = harness();
    const location = new URL((await approveViaForm(h.emu, 'deny')).headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-123');
  });

  test('an unknown client or an unregistered redirect_uri is refused', async () => {
    const h = harness();
    expect((await h.emu.fetch(`${h.emu.url}/oauth?client_id=nope&state=x`)).status).toBe(400);
    const bad = await h.emu.fetch(`${h.emu.url}/oauth?client_id=${CLIENT_ID}&state=x&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/evil')}`);
    expect(bad.status).toBe(400);
  });

  test('approve=1 skips the page for headless flows, and the first redirect URL is the default', async () => {
    const h = harness();
    const res = await h.emu.fetch(`${h.emu.url}/oauth?client_id=${CLIENT_ID}&state=s&approve=1&workspace_id=${h.idCode}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${REDIRECT.replace(/[.?]/g, '\\$&')}\\?code=`));
  });
});

describe('token exchange', () => {
  test('a code exchanges once, as form or JSON, for a Bearer token the SDK can use', async () => {
    const h = harness();
    for (const asJson of [false, true]) {
      const code = h.emu.authorize(CLIENT_ID, h.idCode);
      const res = await exchange(h.emu, code, asJson);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token_type: string; token: string; access_token: string };
      expect(body.token_type).toBe('Bearer');
      expect(body.access_token).toBe(body.token);
      const client = new IntercomClient({ token: body.token, baseUrl: h.emu.url, fetch: h.emu.fetch, maxRetries: 0 });
      expect((await client.admins.identify())?.app?.id_code).toBe(h.idCode);
      const again = await exchange(h.emu, code, asJson);
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ type: 'error.list', errors: [{ code: 'invalid_grant' }] });
    }
  });

  test('a wrong client secret is refused', async () => {
    const h = harness();
    const res = await exchange(h.emu, h.emu.authorize(CLIENT_ID, h.idCode), false, 'wrong');
    expect(res.status).toBe(401);
  });

  test('codes expire after five minutes', async () => {
    let now = 1_800_000_000_000;
    const h = harness({ now: () => now });
    const fresh = h.emu.authorize(CLIENT_ID, h.idCode);
    const stale = h.emu.authorize(CLIENT_ID, h.idCode);
    now += 4 * 60_000;
    expect((await exchange(h.emu, fresh)).status).toBe(200);
    now += 61_000;
    const res = await exchange(h.emu, stale);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/expired/);
  });
});

describe('tokens', () => {
  test('tokens never expire, and uninstalling revokes them with 401 Access Token Invalid', async () => {
    let now = 1_800_000_000_000;
    const h = harness({ now: () => now });
    now += 400 * 86_400_000;
    expect((await h.client.admins.identify())?.type).toBe('admin');
    h.emu.uninstall(CLIENT_ID, h.idCode);
    const e = (await h.client.admins.identify().catch((x: unknown) => x)) as IntercomError;
    expect(e.statusCode).toBe(401);
    expect(e.body).toMatchObject({ errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] });
  });

  test('a request without a token or with an unknown one is 401', async () => {
    const h = harness();
    expect((await h.emu.fetch(`${h.emu.url}/me`)).status).toBe(401);
    expect((await h.emu.fetch(`${h.emu.url}/me`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  test('reinstalling after an uninstall issues a new working token', async () => {
    const h = harness();
    h.emu.uninstall(CLIENT_ID, h.idCode);
    const { accessToken } = h.emu.installApp(CLIENT_ID, h.idCode);
    expect(accessToken).not.toBe(h.token);
    const client = new IntercomClient({ token: accessToken, baseUrl: h.emu.url, fetch: h.emu.fetch, maxRetries: 0 });
    expect((await client.admins.identify())?.app?.id_code).toBe(h.idCode);
  });
});

const chromiumPath = '/usr/bin/chromium';
describe.skipIf(!existsSync(chromiumPath))('in a real browser', () => {
  test('an admin clicks Approve and lands on the callback with a code', async () => {
    const { chromium } = await import('playwright-core');
    const rx = await receiver(() => new Response('<p>installed</p>', { headers: { 'content-type': 'text/html' } }));
    toClose.push(rx);
    const h = harness();
    toClose.push(h.emu);
    h.emu.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrls: [`${rx.url}/oauth/intercom/callback`] });
    const base = await h.emu.listen();
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    toClose.push(browser);
    const page = await browser.newPage();
    await page.goto(`${base}/oauth?client_id=${CLIENT_ID}&state=browser`);
    await page.click('#approve');
    await page.waitForURL(/\/oauth\/intercom\/callback\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('state')).toBe('browser');
    expect((await exchange(h.emu, url.searchParams.get('code')!)).status).toBe(200);
  });
});
