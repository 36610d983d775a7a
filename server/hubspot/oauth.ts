import type { HubspotAppConfig } from '../config.ts';
import type { RefreshOutcome, TokenSet } from '../platform/connections.ts';
import { appScopes } from './app-meta.ts';

// HubSpot's OAuth endpoints, called with plain fetch rather than the SDK: the SDK drops `hub_id`
// and only knows /oauth/v1, which HubSpot deprecates in February 2027. Moving to
// /oauth/2026-03/token is a change of the two paths below and nothing else.

const TOKEN_PATH = '/oauth/v1/token';
const TOKEN_INFO_PATH = '/oauth/v1/access-tokens/';
const DEADLINE_MS = 15_000;

export class HubspotOAuthError extends Error {
  constructor(
    message: string,
    /** HubSpot said no for good (bad code, revoked refresh token); a retry cannot help */
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/** The consent URL; scopes come from app-hsmeta.json so they always match what HubSpot expects. */
export function authorizeUrl(cfg: HubspotAppConfig, input: { redirectUri: string; state: string }): string {
  const { required, optional } = appScopes();
  const url = new URL('/oauth/authorize', cfg.authBase);
  url.searchParams.set('client_id', cfg.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', required.join(' '));
  if (optional.length) url.searchParams.set('optional_scope', optional.join(' '));
  url.searchParams.set('state', input.state);
  return url.toString();
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scopes?: string[];
}

async function tokenRequest(cfg: HubspotAppConfig, form: Record<string, string>): Promise<TokenSet> {
  let res: Response;
  try {
    res = await fetch(`${cfg.apiBase}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...form, client_id: cfg.clientId, client_secret: cfg.clientSecret }),
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
  } catch (err) {
    throw new HubspotOAuthError(`HubSpot could not be reached (${(err as Error).message})`, false);
  }
  const body = (await res.json().catch(() => null)) as (TokenResponse & { status?: string; message?: string; error?: string }) | null;
  if (!res.ok || !body?.access_token) {
    const what = body?.message ?? body?.error ?? `HTTP ${res.status}`;
    // 400 is HubSpot's answer to a dead code or refresh token (BAD_REFRESH_TOKEN, invalid_grant);
    // anything else (5xx, 429, no JSON) is worth another try later.
    throw new HubspotOAuthError(`${body?.status ?? 'error'}: ${what}`, res.status === 400 || res.status === 401);
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? null,
    expiresAt: new Date(Date.now() + Math.max(0, body.expires_in) * 1000),
    scopes: body.scopes,
  };
}

export function exchangeCode(cfg: HubspotAppConfig, code: string, redirectUri: string): Promise<TokenSet> {
  return tokenRequest(cfg, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

/** In the shape connections.accessToken() expects: a refused refresh disconnects, others retry. */
export async function refreshAccessToken(cfg: HubspotAppConfig, refreshToken: string): Promise<RefreshOutcome> {
  try {
    return { ok: true, tokens: await tokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken }) };
  } catch (err) {
    if (err instanceof HubspotOAuthError) return { ok: false, refused: err.refused, message: err.message };
    throw err;
  }
}

export interface TokenInfo {
  hubId: number;
  hubDomain: string | null;
  userId: string;
  userEmail: string | null;
  scopes: string[];
}

/** Which portal and user a fresh access token belongs to (the portal is the tenant key). */
export async function tokenInfo(cfg: HubspotAppConfig, accessToken: string): Promise<TokenInfo> {
  let res: Response;
  try {
    res = await fetch(`${cfg.apiBase}${TOKEN_INFO_PATH}${encodeURIComponent(accessToken)}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
  } catch (err) {
    throw new HubspotOAuthError(`HubSpot could not be reached (${(err as Error).message})`, false);
  }
  const body = (await res.json().catch(() => null)) as { hub_id?: number; hub_domain?: string; user?: string; user_id?: number; scopes?: string[] } | null;
  if (!res.ok || typeof body?.hub_id !== 'number') throw new HubspotOAuthError(`HubSpot did not describe the new token (HTTP ${res.status})`, res.status === 404);
  return {
    hubId: body.hub_id,
    hubDomain: body.hub_domain ?? null,
    userId: String(body.user_id ?? ''),
    userEmail: body.user ?? null,
    scopes: body.scopes ?? [],
  };
}
