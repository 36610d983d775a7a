import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { IntercomClient } from 'intercom-client';
import type { AppContext } from '../context.ts';
import { page } from '../landing/page.ts';
import { beginOAuth, completeOAuth, installIntent } from '../platform/oauth-flow.ts';
import { finishInstall } from '../platform/install.ts';
import { ProgramError } from '../program/errors.ts';
import { intercomApi, intercomConfig } from './client.ts';
import { ensureDataAttributes } from './attributes.ts';
import { resumeConnection } from './resume.ts';

// The app-store install: our install URL → Intercom's consent page → our callback, which trades
// the code for a token (Intercom tokens never expire and have no refresh token), learns the
// workspace from GET /me, saves the connection, creates the data attributes and signs the admin in.

const CALLBACK_PATH = '/oauth/intercom/callback';
/** Where an install that began in Intercom's App Store ends: back in the App Store. */
const APPSTORE_RETURN = '/oauth/intercom/installed';

interface Me {
  adminId: string;
  email: string | null;
  name: string | null;
  emailVerified: boolean;
  workspaceId: string;
  workspaceName: string | null;
}

export function oauthRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/oauth/intercom/install', async (c) => {
    if (!ctx.config.intercom) return failPage(c, 503, 'Intercom isn’t set up', 'This Refcard server has no Intercom app credentials (INTERCOM_CLIENT_ID, INTERCOM_CLIENT_SECRET).');
    const fromAppStore = c.req.query('from') === 'appstore';
    const state = await beginOAuth(ctx, c, { provider: 'intercom', ...(await installIntent(ctx, c)), returnTo: fromAppStore ? APPSTORE_RETURN : '/admin' });
    const url = new URL('/oauth', ctx.config.intercom.authBase);
    url.searchParams.set('client_id', ctx.config.intercom.clientId);
    url.searchParams.set('state', state);
    url.searchParams.set('redirect_uri', `${ctx.config.publicUrl}${CALLBACK_PATH}`);
    return c.redirect(url.toString(), 302);
  });

  app.get(CALLBACK_PATH, async (c) => {
    if (!ctx.config.intercom) return failPage(c, 503, 'Intercom isn’t set up', 'This Refcard server has no Intercom app credentials.');
    let flow: Awaited<ReturnType<typeof completeOAuth>>;
    try {
      flow = await completeOAuth(ctx, c, 'intercom', c.req.query('state'));
    } catch (err) {
      if (err instanceof ProgramError) return failPage(c, 400, 'Please start the installation again', err.message);
      throw err;
    }
    const fail = (status: 400 | 403 | 409 | 502, title: string, message: string) =>
      flow.returnTo === APPSTORE_RETURN ? c.redirect(appStoreRedirect(ctx, message), 302) : failPage(c, status, title, message);

    if (c.req.query('error')) return fail(400, 'Installation cancelled', 'Refcard was not installed: access was not granted in Intercom.');
    const code = c.req.query('code');
    if (!code || code.length > 500) return fail(400, 'Please start the installation again', 'Intercom sent no authorization code.');

    const token = await exchangeCode(ctx, code);
    // A code Intercom refuses (used, expired, made up) is the request's fault; Intercom failing is not.
    if (!token.ok) return fail(token.refused ? 400 : 502, 'Intercom refused the installation', token.message);
    const me = await identify(ctx, token.token);
    if (!me) return fail(502, 'Intercom didn’t say which workspace this is', 'Try installing again in a moment.');
    // The installing admin becomes signed in to Refcard: only a verified address may be an identity.
    if (!me.emailVerified) return fail(403, 'Verify your Intercom email first', 'Intercom reports your email address as unverified. Verify it in Intercom, then install again.');

    let installed: Awaited<ReturnType<typeof finishInstall>>;
    try {
      installed = await finishInstall(ctx, c, {
        provider: 'intercom',
        externalId: me.workspaceId,
        name: me.workspaceName,
        tokens: { accessToken: token.token, expiresAt: null },
        user: { id: me.adminId, email: me.email, name: me.name },
        flow,
      });
    } catch (err) {
      if (err instanceof ProgramError) return fail(err.status === 409 ? 409 : 400, 'Refcard couldn’t be connected', err.message);
      throw err;
    }
    try {
      await ensureDataAttributes(intercomApi(ctx, installed.connection));
    } catch (err) {
      // Not fatal: the first attribute push creates whatever is missing.
      ctx.log.warn({ err, workspace: me.workspaceId }, 'creating Intercom data attributes failed; the first push retries');
    }
    await resumeConnection(ctx, installed.connection.id);
    ctx.log.info({ workspace: me.workspaceId, accountId: installed.accountId, created: installed.createdConnection }, 'Intercom workspace connected');
    return c.redirect(flow.returnTo ?? '/admin', 302);
  });

  app.get(APPSTORE_RETURN, (c) => c.redirect(`${intercomConfig(ctx).authBase}/appstore/redirect?install_success=true`, 302));

  return app;
}

async function exchangeCode(ctx: AppContext, code: string): Promise<{ ok: true; token: string } | { ok: false; refused: boolean; message: string }> {
  const cfg = intercomConfig(ctx);
  let res: Response;
  try {
    res = await fetch(`${cfg.apiBase}/auth/eagle/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ code, client_id: cfg.clientId, client_secret: cfg.clientSecret }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    ctx.log.warn({ err }, 'Intercom token exchange failed');
    return { ok: false, refused: false, message: 'Intercom could not be reached; try again in a moment.' };
  }
  const body = (await res.json().catch(() => null)) as { token?: unknown; access_token?: unknown } | null;
  // The documented field is `token`; `access_token` is seen too.
  const token = body?.token ?? body?.access_token;
  if (!res.ok || typeof token !== 'string' || !token) {
    ctx.log.warn({ status: res.status }, 'Intercom token exchange refused');
    return { ok: false, refused: res.status < 500, message: res.status >= 500 ? 'Intercom had a problem; try again in a moment.' : 'The authorization code was not accepted (it may have expired); install again.' };
  }
  return { ok: true, token };
}

async function identify(ctx: AppContext, token: string): Promise<Me | null> {
  try {
    const me = await new IntercomClient({ token, baseUrl: intercomConfig(ctx).apiBase, maxRetries: 1, timeoutInSeconds: 15 }).admins.identify();
    const workspaceId = me?.app?.id_code;
    if (!me?.id || !workspaceId) return null;
    return { adminId: String(me.id), email: me.email ?? null, name: me.name ?? null, emailVerified: me.email_verified === true, workspaceId, workspaceName: me.app?.name ?? null };
  } catch (err) {
    ctx.log.warn({ err }, 'Intercom GET /me failed');
    return null;
  }
}

function appStoreRedirect(ctx: AppContext, message: string): string {
  const url = new URL('/appstore/redirect', intercomConfig(ctx).authBase);
  url.searchParams.set('install_success', 'false');
  url.searchParams.set('error_message', message);
  return url.toString();
}

function failPage(c: Context, status: 400 | 403 | 409 | 502 | 503, title: string, message: string) {
  return c.html(page(title, html`<main><h1>${title}</h1><p>${message}</p><p><a href="/oauth/intercom/install">Install Refcard for Intercom again</a></p></main>`), status);
}
