/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { connections, crmPushQueue, type Connection } from '../../db/schema.ts';
import { createRateLimiter, LIMITS } from '../../platform/rate-limiter.ts';
import { audit } from '../../program/audit.ts';
import { portalLimitKey } from '../../hubspot/client.ts';
import { workspaceLimitKey } from '../../intercom/client.ts';
import { MAX_PUSH_ATTEMPTS as HUBSPOT_MAX_ATTEMPTS } from '../../hubspot/push-queue.ts';
import { MAX_PUSH_ATTEMPTS as INTERCOM_MAX_ATTEMPTS } from '../../intercom/attribute-sync.ts';
import { DROP_FOR_MS, droppedProperties, lapsed, refusedValues, type RefusedValue } from '../../hubspot/refusals.ts';
import { adminActor, type AdminEnv } from '../guard.ts';
import { Badge, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { Table, DangerButton } from '../ui.tsx';
import { connectionsOf, ownConnection, providerLabel } from './common.ts';

// `/admin/integrations`: every connected portal and workspace, whether it works and why not, how
// much of its API budget is in use right now, whether Refcard's figures are written to it (what
// waits, what fails, what the CRM refused), and the buttons to connect, reconnect or disconnect.

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
    const writeBack = await writeBackOf(ctx, conns);
    const refused = conns.flatMap((k) => writeBack.get(k.id)!.refused.map((r) => ({ conn: k, ...r })));
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
            <Table head={['Connection', 'Status', 'Last webhook received', `API budget used (last ${LIMITS.hubspot.windowMs / 1000} s)`, 'Write-back', 'Actions']}>
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
                      <WriteBackCell status={writeBack.get(k.id)!} />
                    </td>
                    <td>
                      <div class="row-actions">
                        <a class="button secondary" href={`/oauth/${k.provider}/install`}>
                          Reconnect
                        </a>
                        {k.status === 'connected' ? (
                          <DangerButton action={`/admin/integrations/${k.id}/disconnect`} csrf={session.csrfToken} label={`Disconnect ${providerLabel(k.provider)} ${k.externalId}`}>
                            Disconnect
                          </DangerButton>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </Table>
          )}
          {refused.length ? (
            <>
              <h2>Values HubSpot refused lately</h2>
              <p>
                HubSpot refused these values for one contact each (a validation rule in the portal, an option the property does not have). The rest of each contact’s update was
                written; the value is sent again with that person’s next update.
              </p>
              <Table head={['When', 'Portal', 'Contact', 'Property', 'Value sent', 'HubSpot’s reason']}>
                {refused.map((r) => (
                  <tr>
                    <td>{when(new Date(r.at))}</td>
                    <td class="mono">{r.conn.externalId}</td>
                    <td>
                      {r.email ?? r.contact}
                      {r.email && r.email !== r.contact ? <span class="muted mono"> {r.contact}</span> : null}
                    </td>
                    <td class="mono">{r.property}</td>
                    <td>{r.value}</td>
                    <td>
                      {r.message || r.code} <span class="muted mono">{r.code}</span>
                    </td>
                  </tr>
                ))}
              </Table>
            </>
          ) : null}
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

interface WriteBack {
  /** people whose changes are still to be written */
  waiting: number;
  /** of those, the ones the CRM refused lately, and its latest words */
  failing: number;
  lastError: string | null;
  /** refused as many times as Refcard tries: written again only when the person changes */
  givenUp: number;
  /** HubSpot properties left out of every write for now, and until when */
  leftOut: { name: string; code: string; until: Date }[];
  refused: RefusedValue[];
}

async function writeBackOf(ctx: AppContext, conns: Connection[]): Promise<Map<string, WriteBack>> {
  const ids = conns.map((k) => k.id);
  const rows = ids.length
    ? await ctx.db
        .select({
          connectionId: crmPushQueue.connectionId,
          waiting: sql<number>`count(*)::int`,
          failing: sql<number>`count(${crmPushQueue.lastError})::int`,
          lastError: sql<string | null>`(array_agg(${crmPushQueue.lastError} order by ${crmPushQueue.dirtyAt} desc) filter (where ${crmPushQueue.lastError} is not null))[1]`,
          hubspotGivenUp: sql<number>`count(*) filter (where ${crmPushQueue.attempts} >= ${HUBSPOT_MAX_ATTEMPTS})::int`,
          intercomGivenUp: sql<number>`count(*) filter (where ${crmPushQueue.attempts} >= ${INTERCOM_MAX_ATTEMPTS})::int`,
        })
        .from(crmPushQueue)
        .where(inArray(crmPushQueue.connectionId, ids))
        .groupBy(crmPushQueue.connectionId)
    : [];
  const byId = new Map(rows.map((r) => [r.connectionId, r]));
  const out = new Map<string, WriteBack>();
  for (const k of conns) {
    const q = byId.get(k.id);
    const hubspot = k.provider === 'hubspot';
    const dropped = hubspot ? await droppedProperties(ctx, k.id) : {};
    out.set(k.id, {
      waiting: q?.waiting ?? 0,
      failing: q?.failing ?? 0,
      lastError: q?.lastError ?? null,
      givenUp: (hubspot ? q?.hubspotGivenUp : q?.intercomGivenUp) ?? 0,
      leftOut: Object.entries(dropped)
        .filter(([, d]) => !lapsed(d))
        .map(([name, d]) => ({ name, code: d.code, until: new Date(Date.parse(d.at) + DROP_FOR_MS) })),
      refused: hubspot ? await refusedValues(ctx, k.id) : [],
    });
  }
  return out;
}

function WriteBackCell({ status: s }: { status: WriteBack }) {
  return (
    <>
      {s.waiting === 0 ? <Badge tone="ok">Up to date</Badge> : <Badge tone={s.failing ? 'bad' : 'wait'}>{s.waiting} waiting</Badge>}
      {s.failing ? (
        <p class="hint">
          {s.failing} refused lately{s.givenUp ? `, ${s.givenUp} no longer retried until the person changes` : ''}. Latest: {s.lastError}
        </p>
      ) : null}
      {s.leftOut.map((p) => (
        <p class="hint">
          <span class="mono">{p.name}</span> is left out of every write ({p.code}); tried again after {when(p.until)}.
        </p>
      ))}
    </>
  );
}
