import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { syncRuns, webhookInbox, type Connection } from '../db/schema.ts';
import { QUEUES } from '../jobs/queues.ts';
import { page } from '../landing/page.ts';
import { beginOAuth, completeOAuth, installIntent } from '../platform/oauth-flow.ts';
import { finishInstall } from '../platform/install.ts';
import { findConnection, saveConnection, type TokenSet } from '../platform/connections.ts';
import { createAccount } from '../program/accounts.ts';
import { ProgramError } from '../program/errors.ts';
import { CALLBACK_PATH, callbackUrl, hubspotConfig } from './app-meta.ts';
import { hubspotApi } from './client.ts';
import { authorizeUrl, exchangeCode, HubspotOAuthError, tokenInfo } from './oauth.ts';
import { ensureProperties } from './properties.ts';

// The marketplace install: /oauth/hubspot/install → HubSpot's consent page → /oauth/hubspot/callback,
// which trades the code for tokens, learns the portal from the token info, saves the connection
// (encrypted), creates the Refcard properties and resumes whatever was pending for that portal.
// `connectPortal` is that whole path minus the browser, so the sandbox connects its demo portal
// exactly the way a real install does.

export interface ConnectResult {
  accountId: string;
  connection: Connection;
  createdAccount: boolean;
  createdConnection: boolean;
  portalId: number;
  /** properties created now (empty on a reinstall: they already existed) */
  propertiesCreated: string[];
  /** why the properties could not be created now, if so (the next push tries again) */
  propertiesError: string | null;
}

/**
 * Connects an account to the portal behind an authorization `code`. With `http` (the callback) the
 * account is chosen and the admin signed in by finishInstall; without it (sandbox, scripts) the
 * account is `accountId`, else the portal's existing account, else a new one named after the portal.
 */
export async function connectPortal(
  ctx: AppContext,
  input: { code: string; redirectUri?: string; accountId?: string | null; http?: Context },
): Promise<ConnectResult> {
  const cfg = hubspotConfig(ctx);
  const tokens = await exchangeCode(cfg, input.code, input.redirectUri ?? callbackUrl(ctx));
  const info = await tokenInfo(cfg, tokens.accessToken);
  const install = {
    provider: 'hubspot' as const,
    externalId: String(info.hubId),
    name: info.hubDomain,
    tokens: { ...tokens, scopes: tokens.scopes?.length ? tokens.scopes : info.scopes },
    user: { id: info.userId, email: info.userEmail, name: null },
  };
  const saved = input.http
    ? await finishInstall(ctx, input.http, { ...install, flow: { purpose: 'install', accountId: input.accountId ?? null } })
    : await saveWithoutSession(ctx, { ...install, accountId: input.accountId ?? null });

  let propertiesCreated: string[] = [];
  let propertiesError: string | null = null;
  try {
    propertiesCreated = (await ensureProperties(hubspotApi(ctx, saved.connection))).created;
  } catch (err) {
    // The install itself succeeded; the first push re-creates whatever is missing.
    propertiesError = (err as Error).message;
    ctx.log.warn({ err, portalId: info.hubId }, 'creating HubSpot properties at install failed; the next push retries');
  }
  await resumeConnection(ctx, saved.connection.id);
  return { ...saved, portalId: info.hubId, propertiesCreated, propertiesError };
}

async function saveWithoutSession(
  ctx: AppContext,
  input: { externalId: string; name: string | null; tokens: TokenSet; user: { id: string; email: string | null }; accountId: string | null },
) {
  const existing = await findConnection(ctx.db, 'hubspot', input.externalId);
  return ctx.db.transaction(async (tx) => {
    let accountId = input.accountId ?? existing?.accountId ?? null;
    let createdAccount = false;
    if (!accountId) {
      accountId = (await createAccount(tx, input.name ?? `HubSpot portal ${input.externalId}`)).id;
      createdAccount = true;
    }
    const saved = await saveConnection(ctx, tx, {
      accountId,
      provider: 'hubspot',
      externalId: input.externalId,
      name: input.name,
      tokens: input.tokens,
      installedBy: input.user,
    });
    return { accountId, connection: saved.connection, createdAccount, createdConnection: saved.created };
  });
}

/**
 * After a (re)connect: property pushes, stored webhook events and syncs that waited while the
 * connection was down are picked up again. Each job is keyed, so asking twice queues nothing twice.
 */
export async function resumeConnection(ctx: AppContext, connectionId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await ctx.jobs.wake(tx, QUEUES.crmPush, connectionId);
    const [pending] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookInbox)
      .where(and(eq(webhookInbox.connectionId, connectionId), isNull(webhookInbox.processedAt)));
    if (pending!.n > 0) await ctx.jobs.wake(tx, QUEUES.inboxApply, connectionId);
    const runs = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.connectionId, connectionId), inArray(syncRuns.state, ['queued', 'running', 'waiting'])));
    for (const r of runs) await ctx.jobs.send(tx, QUEUES.syncRun, { syncRunId: r.id }, { singletonKey: `sync:${r.id}` });
  });
}

export function installRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/oauth/hubspot/install', async (c) => {
    if (!ctx.config.hubspot) return failPage(c, 503, 'HubSpot isn’t set up', 'This Refcard server has no HubSpot app credentials (HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET).');
    const state = await beginOAuth(ctx, c, { provider: 'hubspot', ...(await installIntent(ctx, c)), returnTo: '/admin' });
    return c.redirect(authorizeUrl(ctx.config.hubspot, { redirectUri: callbackUrl(ctx), state }), 302);
  });

  app.get(CALLBACK_PATH, async (c) => {
    if (!ctx.config.hubspot) return failPage(c, 503, 'HubSpot isn’t set up', 'This Refcard server has no HubSpot app credentials.');
    let flow: Awaited<ReturnType<typeof completeOAuth>>;
    try {
      flow = await completeOAuth(ctx, c, 'hubspot', c.req.query('state'));
    } catch (err) {
      if (err instanceof ProgramError) return failPage(c, 400, 'Please start the installation again', err.message);
      throw err;
    }
    if (c.req.query('error')) return failPage(c, 400, 'Installation cancelled', 'Refcard was not installed: access was not granted in HubSpot.');
    const code = c.req.query('code');
    if (!code || code.length > 500) return failPage(c, 400, 'Please start the installation again', 'HubSpot sent no authorization code.');
    try {
      await connectPortal(ctx, { code, accountId: flow.accountId, http: c });
    } catch (err) {
      if (err instanceof ProgramError) return failPage(c, err.status === 409 ? 409 : 400, 'Refcard could not be installed', err.message);
      if (err instanceof HubspotOAuthError) {
        // A code HubSpot refuses (used, expired, made up) is the request's fault; HubSpot failing is not.
        return failPage(c, err.refused ? 400 : 502, 'Refcard could not be installed', `HubSpot did not accept the installation (${err.message}). Please start again.`);
      }
      throw err;
    }
    return c.redirect(flow.returnTo ?? '/admin', 302);
  });

  return app;
}

function failPage(c: Context, status: 400 | 409 | 502 | 503, title: string, message: string) {
  return c.html(page(title, html`<main><h1>${title}</h1><p>${message}</p><p><a href="/oauth/hubspot/install">Start again</a></p></main>`), status);
}
