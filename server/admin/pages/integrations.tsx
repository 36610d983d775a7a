/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { connections, type Connection } from '../../db/schema.ts';
import { createRateLimiter, LIMITS } from '../../platform/rate-limiter.ts';
import { audit } from '../../program/audit.ts';
import { portalLimitKey } from '../../hubspot/client.ts';
import { workspaceLimitKey } from '../../intercom/client.ts';
import { adminActor, type AdminEnv } from '../guard.ts';
import { Badge, Csrf, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { connectionsOf, ownConnection, providerLabel } from './common.ts';

// `/admin/integrations`: every connected portal and workspace, whether it works and why not, how
// much of its API budget is in use right now, and the buttons to connect, reconnect or disconnect.

/**
 * The rate-limiter bucket each provider spends per portal/workspace (the same keys the HubSpot and
 * Intercom clients acquire), and its window, so "used" means "of the platform's current budget".
 */
export function budgetOf(conn: Pick<Connection, 'provider' | 'externalId'>) {
  return conn.provider === 'hubspot'
    ? { key: portalLimitKey(conn.externalId), limit: LIMITS.hubspot, platformMax: 110 }
    : { key: workspaceLimitKey(conn.externalId), limit: LIMITS.intercom, platformMax: Math.ceil(10_000 / 6) };
}

export function integrationRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  const limiter = createRateLimiter(ctx.db);

  app.get('/admin/integrations', async (c) => {
    const conns = await connectionsOf(ctx, c);
    const used = await Promise.all(conns.map((k) => limiter.used(budgetOf(k).key, budgetOf(k).limit)));
    const session = c.get('session');
    return renderPage(c, {
      title: 'Integrations',
      nav: 'integrations',
      children: (
        <>
          <p>Refcard can serve several HubSpot portals and Intercom workspaces from one account.</p>
          <div class="actions">
            <a class="button" href="/oauth/hubspot/install">
              Connect HubSpot
            </a>
            <a class="button" href="/oauth/intercom/install">
              Connect Intercom
            </a>
          </div>
          <h2>Connections</h2>
          {conns.length === 0 ? (
            <p>No portal or workspace is connected yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Connection</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last webhook received</th>
                    <th scope="col">API budget used (last {LIMITS.hubspot.windowMs / 1000} s)</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {conns.map((k, i) => {
                    const b = budgetOf(k);
                    return (
                      <tr id={`connection-${k.id}`}>
                        <th scope="row">
                          {providerLabel(k.provider)} {k.provider === 'hubspot' ? 'portal' : 'workspace'}
                          <br />
                          <span>{k.name ?? '(no name)'}</span> <span class="muted mono">{k.externalId}</span>
                          {k.installedBy?.email ? <div class="hint">Installed by {k.installedBy.email}</div> : null}
                        </th>
                        <td>
                          {k.status === 'connected' ? <Badge tone="ok">Connected</Badge> : <Badge tone="bad">Disconnected</Badge>}
                          {k.status === 'disconnected' && k.statusReason ? <p class="hint">{k.statusReason}</p> : null}
                          {k.refreshFailures > 0 ? <p class="hint">{k.refreshFailures} token refresh attempt(s) failed; retrying.</p> : null}
                        </td>
                        <td>{k.lastWebhookAt ? when(k.lastWebhookAt) : 'none yet'}</td>
                        <td>
                          <label class="sr-only" for={`budget-${k.id}`}>
                            API budget used
                          </label>
                          <meter id={`budget-${k.id}`} min={0} max={b.platformMax} value={used[i]} high={Math.floor(b.platformMax * 0.8)}>
                            {used[i]}
                          </meter>{' '}
                          {used[i]} of {b.platformMax} requests
                        </td>
                        <td>
                          <div class="row-actions">
                            <a class="button secondary" href={`/oauth/${k.provider}/install`}>
                              Reconnect
                            </a>
                            {k.status === 'connected' ? (
                              <form method="post" action={`/admin/integrations/${k.id}/disconnect`}>
                                <Csrf token={session.csrfToken} />
                                <button type="submit" class="danger" aria-label={`Disconnect ${providerLabel(k.provider)} ${k.externalId}`}>
                                  Disconnect
                                </button>
                              </form>
                            ) : null}
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <p class="hint">
            Disconnecting stops every call to that portal or workspace. Mappings, rules and syncs are kept, and pending updates resume when you reconnect.
          </p>
        </>
      ),
    });
  });

  app.post('/admin/integrations/:id/disconnect', async (c) => {
    const conn = await ownConnection(ctx, c, c.req.param('id'));
    const session = c.get('session');
    const who = session.user.email ?? session.user.name ?? 'an admin';
    await ctx.db.transaction(async (tx) => {
      // The tokens go too: a disconnected connection must not be able to call the CRM again.
      await tx
        .update(connections)
        .set({ status: 'disconnected', statusReason: `Disconnected by ${who} on ${when(ctx.now())}. Reconnect to resume.`, accessTokenEnc: null, refreshTokenEnc: null, updatedAt: ctx.now() })
        .where(eq(connections.id, conn.id));
      await audit(tx, { accountId: conn.accountId, action: 'connection.disconnected', actor: adminActor(session), before: { status: conn.status }, after: { status: 'disconnected', provider: conn.provider, externalId: conn.externalId } });
    });
    return done(c, '/admin/integrations', `${providerLabel(conn.provider)} ${conn.externalId} is disconnected.`);
  });
}
