import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import { HsError } from './errors.ts';
import type { AccessToken, AuthCode, RefreshToken, RegisteredApp } from './types.ts';

// OAuth grants: authorization codes, access and refresh tokens, installations, uninstall. Shared by
// the HTTP endpoints (oauth.ts) and the programmatic hooks on the emulator object.

export class AuthorizeError extends Error {}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  /** Space-separated (as in the URL) or a list. */
  scope?: string | string[];
  optionalScope?: string | string[];
  state?: string;
  portalId?: number;
  userId?: number;
}

const splitScopes = (s: string | string[] | undefined): string[] =>
  (Array.isArray(s) ? s : (s ?? '').split(/[\s+]+/)).map((x) => x.trim()).filter(Boolean);

/** What HubSpot checks before it shows consent: client, redirect URI, scopes, portal and user. */
export function checkAuthorize(ctx: EmulatorContext, req: AuthorizeRequest) {
  const app = ctx.state.appByClientId(req.clientId);
  if (!app) throw new AuthorizeError(`Unknown client_id: ${req.clientId}`);
  if (!app.redirectUrls.includes(req.redirectUri)) throw new AuthorizeError(`redirect_uri ${req.redirectUri} is not one of the app's redirect URLs`);
  const requested = splitScopes(req.scope);
  const optional = splitScopes(req.optionalScope);
  const declared = new Set([...app.scopes, ...(app.optionalScopes ?? [])]);
  const undeclared = [...requested, ...optional].filter((s) => !declared.has(s));
  if (undeclared.length) throw new AuthorizeError(`Scopes not declared by the app: ${undeclared.join(' ')}`);
  const missing = app.scopes.filter((s) => !requested.includes(s));
  if (missing.length) throw new AuthorizeError(`The install URL is missing the app's required scopes: ${missing.join(' ')}`);
  const portal = req.portalId !== undefined ? ctx.state.portals.get(req.portalId) : ctx.state.portals.values().next().value;
  if (!portal) throw new AuthorizeError(req.portalId !== undefined ? `No portal ${req.portalId}` : 'No portal exists to install into');
  const user = req.userId !== undefined ? portal.user(req.userId) : portal.users[0];
  if (!user) throw new AuthorizeError(`No user ${req.userId ?? ''} in portal ${portal.portalId}`);
  const scopes = [...new Set([...app.scopes, ...requested, ...optional.filter((s) => declared.has(s))])];
  return { app, portal, user, scopes };
}

/** The user approved: the app is installed and a one-time code issued (valid 10 minutes). */
export function approve(ctx: EmulatorContext, req: AuthorizeRequest): { code: string; redirectUrl: string; portalId: number; userId: number } {
  const { app, portal, user, scopes } = checkAuthorize(ctx, req);
  const code = `na1-${randomUUID()}`;
  const grant: AuthCode = {
    code, appId: app.appId, portalId: portal.portalId, userId: user.id, redirectUri: req.redirectUri,
    scopes, expiresAt: ctx.now() + 10 * 60_000, used: false,
  };
  ctx.state.codes.set(code, grant);
  ctx.state.installations.set(`${app.appId}:${portal.portalId}`, {
    appId: app.appId, portalId: portal.portalId, userId: user.id, scopes, installedAt: ctx.now(),
  });
  const url = new URL(req.redirectUri);
  url.searchParams.set('code', code);
  if (req.state !== undefined) url.searchParams.set('state', req.state);
  ctx.touched();
  return { code, redirectUrl: url.toString(), portalId: portal.portalId, userId: user.id };
}

export interface TokenSet {
  token_type: 'bearer';
  refresh_token: string;
  access_token: string;
  expires_in: number;
  hub_id: number;
  user_id: number;
  scopes: string[];
  token_use: string;
}

export class TokenError extends Error {
  constructor(readonly status: string, readonly error: string, message: string) {
    super(message);
  }

  body() {
    // `category` is not in HubSpot's documented token errors; it is here because the SDK's error
    // model requires one, and an extra field harms no client.
    return { status: this.status, message: this.message, error: this.error, error_description: this.message, correlationId: randomUUID(), category: 'VALIDATION_ERROR' };
  }
}

function issueAccess(ctx: EmulatorContext, refresh: RefreshToken): TokenSet {
  const now = ctx.now();
  const token = `CK${randomBytes(60).toString('base64url')}`;
  const at: AccessToken = {
    token, appId: refresh.appId, portalId: refresh.portalId, userId: refresh.userId, scopes: refresh.scopes,
    issuedAt: now, expiresAt: now + ctx.tokenTtlSeconds * 1000, refreshToken: refresh.token, revoked: false,
  };
  ctx.state.accessTokens.set(token, at);
  ctx.touched();
  return {
    token_type: 'bearer', refresh_token: refresh.token, access_token: token, expires_in: ctx.tokenTtlSeconds,
    hub_id: refresh.portalId, user_id: refresh.userId, scopes: refresh.scopes, token_use: 'access_token',
  };
}

function clientOf(ctx: EmulatorContext, form: Record<string, string | undefined>): RegisteredApp {
  const app = form.client_id ? ctx.state.appByClientId(form.client_id) : undefined;
  if (!app) throw new TokenError('BAD_CLIENT_ID', 'invalid_client', 'missing or invalid client id');
  if (form.client_secret !== app.clientSecret) throw new TokenError('BAD_CLIENT_SECRET', 'invalid_client', 'missing or invalid client secret');
  return app;
}

/** POST /oauth/{v1|v3|2026-03}/token for authorization_code and refresh_token grants. */
export function tokenGrant(ctx: EmulatorContext, form: Record<string, string | undefined>): TokenSet {
  const grant = form.grant_type;
  if (grant !== 'authorization_code' && grant !== 'refresh_token') {
    throw new TokenError('BAD_GRANT_TYPE', 'unsupported_grant_type', 'missing or unknown grant type');
  }
  const app = clientOf(ctx, form);
  if (grant === 'authorization_code') {
    const code = form.code ? ctx.state.codes.get(form.code) : undefined;
    if (!code || code.used || code.appId !== app.appId || code.expiresAt < ctx.now() || !ctx.state.installation(code.appId, code.portalId)) {
      throw new TokenError('BAD_AUTH_CODE', 'invalid_grant', 'missing or invalid auth code');
    }
    if (form.redirect_uri !== code.redirectUri) throw new TokenError('BAD_REDIRECT_URI', 'invalid_grant', 'redirect_uri does not match initial redirect_uri');
    code.used = true;
    const refresh: RefreshToken = {
      token: `na1-${randomUUID()}`, appId: app.appId, portalId: code.portalId, userId: code.userId, scopes: code.scopes, revoked: false,
    };
    ctx.state.refreshTokens.set(refresh.token, refresh);
    return issueAccess(ctx, refresh);
  }
  const refresh = form.refresh_token ? ctx.state.refreshTokens.get(form.refresh_token) : undefined;
  if (!refresh || refresh.revoked || refresh.appId !== app.appId || !ctx.state.installation(refresh.appId, refresh.portalId)) {
    throw new TokenError('BAD_REFRESH_TOKEN', 'invalid_grant', 'missing or invalid refresh token');
  }
  return issueAccess(ctx, refresh);
}

/** Revokes a refresh token and every access token minted from it. */
export function revokeRefresh(ctx: EmulatorContext, token: string): boolean {
  const r = ctx.state.refreshTokens.get(token);
  if (!r || r.revoked) return false;
  r.revoked = true;
  for (const a of ctx.state.accessTokens.values()) if (a.refreshToken === token) a.revoked = true;
  ctx.touched();
  return true;
}

export function uninstall(ctx: EmulatorContext, appId: number, portalId: number): boolean {
  const had = ctx.state.installations.delete(`${appId}:${portalId}`);
  for (const a of ctx.state.accessTokens.values()) if (a.appId === appId && a.portalId === portalId) a.revoked = true;
  for (const r of ctx.state.refreshTokens.values()) if (r.appId === appId && r.portalId === portalId) r.revoked = true;
  for (const [k, code] of ctx.state.codes) if (code.appId === appId && code.portalId === portalId) ctx.state.codes.delete(k);
  ctx.touched();
  return had;
}

/** Resolves a bearer token the way the CRM API does, with HubSpot's 401 categories. */
export function authenticate(ctx: EmulatorContext, header: string | undefined): AccessToken {
  const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  const at = token ? ctx.state.accessTokens.get(token) : undefined;
  if (!at || at.revoked || !ctx.state.installation(at.appId, at.portalId)) {
    throw new HsError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication.');
  }
  const now = ctx.now();
  if (at.expiresAt <= now) {
    const minutes = Math.floor((now - at.expiresAt) / 60_000);
    throw new HsError(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${minutes} minute(s) ago.`);
  }
  return at;
}
