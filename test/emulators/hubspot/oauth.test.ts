import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubspotEmulator, type HubspotEmulator, type RegisteredApp } from './index.ts';
import { expectModel } from './test-support/sdk-models.ts';
import { ALL_SCOPES, REDIRECT, rejection } from './test-support/setup.ts';

// OAuth: consent page, code exchange and refresh through the SDK's oauth APIs, token info,
// expiry, revocation and uninstall.

let emu: HubspotEmulator;
let url: string;
let app: RegisteredApp;
let portalId: number;
let oauth: Client['oauth'];

beforeAll(async () => {
  emu = createHubspotEmulator({ accessTokenTtlSeconds: 5 });
  url = await emu.listen();
  app = emu.registerApp({ name: 'Refcard', redirectUrls: [REDIRECT], scopes: ALL_SCOPES, optionalScopes: ['crm.objects.companies.read'] });
  portalId = emu.createPortal({ users: [{ email: 'admin@oauth.test' }, { email: 'second@oauth.test' }] }).portalId;
  oauth = new Client({ basePath: url }).oauth;
});
afterAll(() => emu.close());

function authorizeUrl(params: Record<string, string>): string {
  const u = new URL('/oauth/authorize', url);
  u.search = new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: ALL_SCOPES.join(' '), state: 's-1', ...params }).toString();
  return u.toString();
}

async function codeFromConsent(extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(authorizeUrl({ auto: '1', ...extra }), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

const exchange = (code: string, redirect = REDIRECT, secret = app.clientSecret) =>
  oauth.tokensApi.create('authorization_code', code, redirect, app.clientId, secret);

describe('consent', () => {
  it('shows a consent page whose Approve form redirects to redirect_uri with a code and the state', async () => {
    const page = await fetch(authorizeUrl({}));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="approve"');
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) form.set(m[1], m[2].replace(/&amp;/g, '&'));
    form.set('portal_id', String(portalId));
    form.set('decision', 'approve');
    const approved = await fetch(new URL('/oauth/authorize/approve', url), { method: 'POST', body: form, redirect: 'manual' });
    expect(approved.status).toBe(302);
    const to = new URL(approved.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get('state')).toBe('s-1');
    expect(to.searchParams.get('code')).toMatch(/^na1-/);
  });

  it('redirects with error=access_denied when the user cancels', async () => {
    const form = new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: ALL_SCOPES.join(' '), state: 'x', decision: 'deny' });
    const res = await fetch(new URL('/oauth/authorize/approve', url), { method: 'POST', body: form, redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it.each([
    ['an unknown client', { client_id: 'nope' }],
    ['a redirect_uri the app did not declare', { redirect_uri: 'http://127.0.0.1:9/elsewhere' }],
    ['a scope the app did not declare', { scope: `${ALL_SCOPES.join(' ')} tickets` }],
    ['a URL missing a required scope', { scope: 'oauth' }],
  ])('refuses %s with 400', async (_what, params) => {
    const res = await fetch(authorizeUrl({ auto: '1', ...params }), { redirect: 'manual' });
    expect(res.status).toBe(400);
  });

  it('grants declared optional scopes when asked for', async () => {
    const code = await codeFromConsent({ optional_scope: 'crm.objects.companies.read' });
    const t = await exchange(code);
    const info = await oauth.accessTokensApi.get(t.accessToken);
    expect(info.scopes).toContain('crm.objects.companies.read');
  });
});

describe('token exchange', () => {
  it('exchanges a code for tokens the SDK models as TokenResponseIF, with token info giving hub_id', async () => {
    const t = await exchange(await codeFromConsent());
    expectModel(t, 'oauth', 'TokenResponseIF');
    expect(t).toMatchObject({ tokenType: 'bearer', expiresIn: 5 });
    const info = await oauth.accessTokensApi.get(t.accessToken);
    expectModel(info, 'oauth', 'AccessTokenInfoResponse');
    expect(info).toMatchObject({ hubId: portalId, appId: app.appId, user: 'admin@oauth.test', tokenType: 'access' });
    const rt = await oauth.refreshTokensApi.get(t.refreshToken);
    expectModel(rt, 'oauth', 'RefreshTokenInfoResponse');
    expect(rt).toMatchObject({ hubId: portalId, clientId: app.clientId });
  });

  it('installs as the chosen user', async () => {
    const second = emu.portal(portalId).users[1].id;
    const t = await exchange(await codeFromConsent({ user_id: String(second) }));
    expect((await oauth.accessTokensApi.get(t.accessToken)).userId).toBe(second);
  });

  it('refuses a code used twice with BAD_AUTH_CODE', async () => {
    const code = await codeFromConsent();
    await exchange(code);
    const e = await rejection(() => exchange(code));
    expect(e.code).toBe(400);
    expectModel(e.body, 'oauth', 'ModelError');
    expect(e.body).toMatchObject({ status: 'BAD_AUTH_CODE', error: 'invalid_grant' });
  });

  it('refuses a different redirect_uri, client id or secret with the matching status', async () => {
    const code = await codeFromConsent();
    expect((await rejection(() => exchange(code, 'http://127.0.0.1:9/other'))).body.status).toBe('BAD_REDIRECT_URI');
    expect((await rejection(() => oauth.tokensApi.create('authorization_code', code, REDIRECT, 'nope', app.clientSecret))).body.status).toBe('BAD_CLIENT_ID');
    expect((await rejection(() => exchange(code, REDIRECT, 'wrong'))).body.error).toBe('invalid_client');
  });

  it('serves the same exchange on /oauth/v3/token and /oauth/2026-03/token', async () => {
    for (const path of ['/oauth/v3/token', '/oauth/2026-03/token']) {
      const body = new URLSearchParams({ grant_type: 'authorization_code', code: await codeFromConsent(), redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret });
      const res = await fetch(new URL(path, url), { method: 'POST', body });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ token_type: 'bearer', hub_id: portalId, expires_in: 5 });
    }
  });
});

describe('expiry, refresh and revocation', () => {
  it('expires access tokens after the TTL with 401 EXPIRED_AUTHENTICATION and refreshes them', async () => {
    const t = emu.issueTokens(app.appId, portalId);
    const crm = new Client({ accessToken: t.accessToken, basePath: url }).crm;
    await crm.contacts.basicApi.getPage();
    emu.advanceClock(5_000);
    const e = await rejection(() => crm.contacts.basicApi.getPage());
    expect(e.code).toBe(401);
    expect(e.body.category).toBe('EXPIRED_AUTHENTICATION');
    expect((await rejection(() => oauth.accessTokensApi.get(t.accessToken))).code).toBe(404);
    const fresh = await oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, t.refreshToken);
    expectModel(fresh, 'oauth', 'TokenResponseIF');
    expect(fresh.refreshToken).toBe(t.refreshToken);
    await new Client({ accessToken: fresh.accessToken, basePath: url }).crm.contacts.basicApi.getPage();
  });

  it('refuses an unknown refresh token with BAD_REFRESH_TOKEN', async () => {
    const e = await rejection(() => oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, 'na1-nope'));
    expect(e.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', error: 'invalid_grant' });
  });

  it('revokes a refresh token (204) together with the access tokens minted from it', async () => {
    const t = emu.issueTokens(app.appId, portalId);
    await oauth.refreshTokensApi.archive(t.refreshToken);
    expect((await rejection(() => oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, t.refreshToken))).body.status).toBe('BAD_REFRESH_TOKEN');
    expect((await rejection(() => new Client({ accessToken: t.accessToken, basePath: url }).crm.contacts.basicApi.getPage())).code).toBe(401);
  });

  it('kills every token of the app in the portal on uninstall', async () => {
    const t = emu.issueTokens(app.appId, portalId);
    expect(emu.uninstall(app.appId, portalId)).toBe(true);
    const e = await rejection(() => new Client({ accessToken: t.accessToken, basePath: url }).crm.contacts.basicApi.getPage());
    expect(e.body.category).toBe('INVALID_AUTHENTICATION');
    expect((await rejection(() => oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, t.refreshToken))).code).toBe(400);
    emu.issueTokens(app.appId, portalId);
  });

  it('introspects active and inactive tokens', async () => {
    const t = emu.issueTokens(app.appId, portalId);
    const ask = async (token: string) => (await fetch(new URL('/oauth/2026-03/token/introspect', url), {
      method: 'POST', body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, token }),
    })).json();
    expect(await ask(t.accessToken)).toMatchObject({ active: true, token_use: 'access_token', hub_id: portalId, app_id: app.appId });
    expect(await ask(t.refreshToken)).toMatchObject({ active: true, token_use: 'refresh_token' });
    expect(await ask('garbage')).toEqual({ active: false });
  });
});
