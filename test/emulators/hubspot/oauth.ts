import type { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { approve, AuthorizeError, checkAuthorize, revokeRefresh, TokenError, tokenGrant, type AuthorizeRequest } from './grants.ts';
import type { HsContext, HsEnv } from './http.ts';
import { randomUUID } from 'node:crypto';

// OAuth endpoints: the consent page (a real form a browser can click through), token exchange on
// every path HubSpot serves it, token info, refresh-token revocation and introspection.

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function errorPage(c: HsContext, message: string) {
  return c.html(`<!doctype html><html><head><title>Authorization error</title></head><body><h1>Authorization failed</h1><p id="error">${esc(message)}</p></body></html>`, 400);
}

function authorizeRequest(q: Record<string, string | undefined>, portalParam?: string): AuthorizeRequest {
  const portal = portalParam ?? q.portal_id;
  return {
    clientId: q.client_id ?? '',
    redirectUri: q.redirect_uri ?? '',
    scope: q.scope,
    optionalScope: q.optional_scope,
    state: q.state,
    portalId: portal ? Number(portal) : undefined,
    userId: q.user_id ? Number(q.user_id) : undefined,
  };
}

function consentPage(ctx: EmulatorContext, req: AuthorizeRequest) {
  const { app, portal, scopes } = checkAuthorize(ctx, req);
  const hidden = (name: string, value: string | undefined) => (value === undefined ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`);
  const scopeText = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join(' ') : s);
  const portals = req.portalId !== undefined ? [portal] : [...ctx.state.portals.values()];
  const portalOptions = portals.map((p) => `<option value="${p.portalId}"${p === portal ? ' selected' : ''}>${esc(p.hubDomain)} (${p.portalId})</option>`).join('');
  const users = portal.users.map((u) => `<option value="${u.id}"${u.id === req.userId ? ' selected' : ''}>${esc(u.email)}</option>`).join('');
  return `<!doctype html>
<html><head><title>Connect ${esc(app.name ?? `app ${app.appId}`)} to HubSpot</title></head>
<body>
<h1>${esc(app.name ?? `App ${app.appId}`)} wants access to your HubSpot account</h1>
<ul id="scopes">${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<form id="consent" method="post" action="/oauth/authorize/approve">
${hidden('client_id', req.clientId)}${hidden('redirect_uri', req.redirectUri)}${hidden('scope', scopeText(req.scope))}${hidden('optional_scope', scopeText(req.optionalScope))}${hidden('state', req.state)}
<label>Account <select name="portal_id" id="portal">${portalOptions}</select></label>
<label>User <select name="user_id" id="user">${users}</select></label>
<button type="submit" id="approve" name="decision" value="approve">Connect app</button>
<button type="submit" id="deny" name="decision" value="deny">Cancel</button>
</form>
</body></html>`;
}

async function formOf(c: HsContext): Promise<Record<string, string | undefined>> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (type.includes('application/json')) {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function registerOauthRoutes(app: Hono<HsEnv>, ctx: EmulatorContext): void {
  const authorize = (c: HsContext, portalParam?: string) => {
    const q = c.req.query();
    const req = authorizeRequest(q, portalParam);
    try {
      if (q.auto === '1' || q.auto === 'true') return c.redirect(approve(ctx, req).redirectUrl, 302);
      return c.html(consentPage(ctx, req));
    } catch (e) {
      if (e instanceof AuthorizeError) return errorPage(c, e.message);
      throw e;
    }
  };
  app.get('/oauth/authorize', (c) => authorize(c));
  app.get('/oauth/:portalId/authorize', (c) => authorize(c, c.req.param('portalId')));

  app.post('/oauth/authorize/approve', async (c) => {
    const form = await formOf(c);
    const req = authorizeRequest(form);
    try {
      if (form.decision === 'deny') {
        checkAuthorize(ctx, req);
        const url = new URL(req.redirectUri);
        url.searchParams.set('error', 'access_denied');
        url.searchParams.set('error_description', 'The user declined to connect the app');
        if (req.state !== undefined) url.searchParams.set('state', req.state);
        return c.redirect(url.toString(), 302);
      }
      return c.redirect(approve(ctx, req).redirectUrl, 302);
    } catch (e) {
      if (e instanceof AuthorizeError) return errorPage(c, e.message);
      throw e;
    }
  });

  const token = async (c: HsContext) => {
    const form = await formOf(c);
    const app = form.client_id ? ctx.state.appByClientId(form.client_id) : undefined;
    if (app) c.set('logAppId', app.appId);
    try {
      const set = tokenGrant(ctx, form);
      c.set('logPortalId', set.hub_id);
      return c.json(set);
    } catch (e) {
      if (e instanceof TokenError) return c.json(e.body(), 400);
      throw e;
    }
  };
  app.post('/oauth/v1/token', token);
  app.post('/oauth/v3/token', token);
  app.post('/oauth/2026-03/token', token);

  const notFoundBody = (message: string) => ({ status: 'error', message, correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' });

  app.get('/oauth/v1/access-tokens/:token', (c) => {
    const at = ctx.state.accessTokens.get(c.req.param('token'));
    if (!at || at.revoked || at.expiresAt <= ctx.now()) return c.json(notFoundBody('The access token does not exist or has expired'), 404);
    const portal = ctx.portal(at.portalId);
    c.set('logAppId', at.appId);
    c.set('logPortalId', at.portalId);
    return c.json({
      token: at.token, user: portal.user(at.userId)?.email ?? '', hub_domain: portal.hubDomain, scopes: at.scopes,
      scope_to_scope_group_pks: [], trial_scopes: [], trial_scope_to_scope_group_pks: [], hub_id: at.portalId,
      app_id: at.appId, expires_in: Math.max(0, Math.floor((at.expiresAt - ctx.now()) / 1000)), user_id: at.userId, token_type: 'access',
    });
  });

  app.get('/oauth/v1/refresh-tokens/:token', (c) => {
    const rt = ctx.state.refreshTokens.get(c.req.param('token'));
    if (!rt || rt.revoked) return c.json(notFoundBody('The refresh token does not exist or was revoked'), 404);
    const portal = ctx.portal(rt.portalId);
    c.set('logAppId', rt.appId);
    c.set('logPortalId', rt.portalId);
    return c.json({
      token: rt.token, user: portal.user(rt.userId)?.email ?? '', hub_domain: portal.hubDomain, scopes: rt.scopes,
      hub_id: rt.portalId, client_id: ctx.state.app(rt.appId)?.clientId ?? '', user_id: rt.userId, token_type: 'refresh',
    });
  });

  app.delete('/oauth/v1/refresh-tokens/:token', (c) => {
    const rt = ctx.state.refreshTokens.get(c.req.param('token'));
    if (!rt || !revokeRefresh(ctx, rt.token)) return c.json(notFoundBody('The refresh token does not exist or was revoked'), 404);
    c.set('logAppId', rt.appId);
    c.set('logPortalId', rt.portalId);
    return c.body(null, 204);
  });

  const introspect = async (c: HsContext) => {
    const form = await formOf(c);
    const app = form.client_id ? ctx.state.appByClientId(form.client_id) : undefined;
    if (!app || app.clientSecret !== form.client_secret) return c.json({ active: false });
    c.set('logAppId', app.appId);
    const now = ctx.now();
    const at = form.token ? ctx.state.accessTokens.get(form.token) : undefined;
    if (at && at.appId === app.appId && !at.revoked && at.expiresAt > now && form.token_type_hint !== 'refresh_token') {
      return c.json({
        active: true, token_use: 'access_token', hub_id: at.portalId, user_id: at.userId, client_id: app.clientId, app_id: app.appId,
        scopes: at.scopes, expires_in: Math.floor((at.expiresAt - now) / 1000), iat: Math.floor(at.issuedAt / 1000), exp: Math.floor(at.expiresAt / 1000),
      });
    }
    const rt = form.token ? ctx.state.refreshTokens.get(form.token) : undefined;
    if (rt && rt.appId === app.appId && !rt.revoked) {
      return c.json({ active: true, token_use: 'refresh_token', hub_id: rt.portalId, user_id: rt.userId, client_id: app.clientId, app_id: app.appId, scopes: rt.scopes });
    }
    return c.json({ active: false });
  };
  app.post('/oauth/2026-03/token/introspect', introspect);
  app.post('/oauth/v3/token/introspect', introspect);
}
