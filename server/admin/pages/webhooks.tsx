/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { outboundEvents, webhookDeliveries, webhookEndpoints, type WebhookEndpoint } from '../../db/schema.ts';
import { WebhookEndpointCreateSchema } from '../../api/schemas.ts';
import { createWebhookEndpoint } from '../../api/webhook-endpoint-routes.ts';
import { EVENT_TYPES } from '../../program/events.ts';
import { audit } from '../../program/audit.ts';
import { notFound } from '../../program/errors.ts';
import { QUEUES } from '../../jobs/queues.ts';
import { isStorableText } from '../../http/json-body.ts';
import { adminActor, field, fields, type AdminEnv } from '../guard.ts';
import { Badge, Csrf, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { CheckboxField, ErrorSummary, OnceSecret, TextField, Table, DangerButton } from '../ui.tsx';
import { accountOf, isUuid, type AdminContext } from './common.ts';

// `/admin/webhooks`: outbound webhook endpoints (the signing secret shown once), and per endpoint
// the delivery log — status, attempts, last answer or error — with a button to send one again.

export function webhookRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/webhooks', (c) => endpointsPage(ctx, c, null, {}, null));

  app.post('/admin/webhooks', async (c) => {
    const form = c.get('form');
    const input = { url: field(form, 'url'), description: field(form, 'description') || undefined, events: fields(form, 'events') };
    const parsed = WebhookEndpointCreateSchema.safeParse(input);
    const errors: Record<string, string> = {};
    if (!parsed.success) {
      for (const i of parsed.error.issues) errors[i.path[0] === 'events' ? 'events' : String(i.path[0] ?? 'url')] ??= i.path[0] === 'url' ? 'Enter an http(s) URL.' : i.message;
    } else if (ctx.config.production && !parsed.data.url.startsWith('https://')) errors.url = 'Webhook endpoints must use https.';
    if (input.description && !isStorableText(input.description)) errors.description = 'The description contains a character that cannot be stored.';
    if (!parsed.success || Object.keys(errors).length) return endpointsPage(ctx, c, null, errors, input);
    const session = c.get('session');
    const { endpoint, secret } = await createWebhookEndpoint(ctx, session.accountId, parsed.data);
    await ctx.db.transaction((tx) => audit(tx, { accountId: session.accountId, action: 'webhook_endpoint.created', actor: adminActor(session), after: { id: endpoint.id, url: endpoint.url } }));
    return endpointsPage(ctx, c, { endpoint, secret }, {}, null);
  });

  app.post('/admin/webhooks/:id/delete', async (c) => {
    const ep = await ownEndpoint(ctx, c, c.req.param('id'));
    const session = c.get('session');
    await ctx.db.transaction(async (tx) => {
      await tx.update(webhookEndpoints).set({ disabledAt: ctx.now() }).where(eq(webhookEndpoints.id, ep.id));
      await audit(tx, { accountId: session.accountId, action: 'webhook_endpoint.deleted', actor: adminActor(session), before: { id: ep.id, url: ep.url } });
    });
    return done(c, '/admin/webhooks', 'Endpoint deleted: nothing more will be sent to it.');
  });

  app.get('/admin/webhooks/:id', async (c) => {
    const ep = await ownEndpoint(ctx, c, c.req.param('id'));
    const rows = await ctx.db
      .select({ d: webhookDeliveries, type: outboundEvents.type })
      .from(webhookDeliveries)
      .innerJoin(outboundEvents, eq(outboundEvents.id, webhookDeliveries.eventId))
      .where(and(eq(webhookDeliveries.endpointId, ep.id), eq(webhookDeliveries.accountId, accountOf(c))))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(200);
    const csrf = c.get('session').csrfToken;
    return renderPage(c, {
      title: 'Delivery log',
      heading: `Delivery log: ${ep.url}`,
      nav: 'webhooks',
      children: (
        <>
          <p>
            <a href="/admin/webhooks">All endpoints</a> · {ep.description ?? 'no description'} · events: {ep.events.length ? ep.events.join(', ') : 'all'}
          </p>
          {rows.length === 0 ? (
            <p>Nothing sent yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">Attempts</th>
                    <th scope="col">Last answer</th>
                    <th scope="col">Last attempt</th>
                    <th scope="col">Resend</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ d, type }) => (
                    <tr>
                      <th scope="row">
                        {type}
                        <div class="hint mono">{d.eventId}</div>
                      </th>
                      <td>
                        <Badge tone={d.status === 'succeeded' ? 'ok' : d.status === 'failed' ? 'bad' : 'wait'}>{d.status}</Badge>
                      </td>
                      <td class="num">{d.attempts}</td>
                      <td>{d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—')}</td>
                      <td>{when(d.lastAttemptAt)}</td>
                      <td>
                        <form method="post" action={`/admin/webhooks/${ep.id}/deliveries/${d.id}/resend`}>
                          <Csrf token={csrf} />
                          <button type="submit" class="secondary" aria-label={`Resend ${type} ${d.eventId}`}>
                            Resend
                          </button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ),
    });
  });

  app.post('/admin/webhooks/:id/deliveries/:did/resend', async (c) => {
    const ep = await ownEndpoint(ctx, c, c.req.param('id'));
    const did = c.req.param('did');
    if (!isUuid(did)) throw notFound('The delivery');
    // Back to pending and one more job, in one transaction: the receiver gets the same event id
    // and body again, so it can tell this from a new event.
    const resent = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhookDeliveries)
        .set({ status: 'pending' })
        .where(and(eq(webhookDeliveries.id, did), eq(webhookDeliveries.endpointId, ep.id), eq(webhookDeliveries.accountId, accountOf(c))))
        .returning({ id: webhookDeliveries.id, eventId: webhookDeliveries.eventId });
      if (!row) return null;
      await ctx.jobs.send(tx, QUEUES.outboundDeliver, { deliveryId: row.id });
      await audit(tx, { accountId: accountOf(c), action: 'webhook_delivery.resent', actor: adminActor(c.get('session')), after: { deliveryId: row.id, eventId: row.eventId } });
      return row;
    });
    if (!resent) throw notFound('The delivery');
    return done(c, `/admin/webhooks/${ep.id}`, `Event ${resent.eventId} queued to be sent again.`);
  });
}

async function ownEndpoint(ctx: AppContext, c: AdminContext, id: string | undefined): Promise<WebhookEndpoint> {
  if (!isUuid(id)) throw notFound('The webhook endpoint');
  const [ep] = await ctx.db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.accountId, accountOf(c)), isNull(webhookEndpoints.disabledAt)));
  if (!ep) throw notFound('The webhook endpoint');
  return ep;
}

async function endpointsPage(ctx: AppContext, c: AdminContext, created: { endpoint: WebhookEndpoint; secret: string } | null, errors: Record<string, string>, values: { url: string; description?: string; events: string[] } | null) {
  const list = await ctx.db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.accountId, accountOf(c)), isNull(webhookEndpoints.disabledAt))).orderBy(desc(webhookEndpoints.createdAt));
  const csrf = c.get('session').csrfToken;
  return renderPage(c, {
    title: 'Webhooks',
    nav: 'webhooks',
    status: Object.keys(errors).length ? 400 : 200,
    children: (
      <>
        {created ? (
          <OnceSecret id="new-secret" label={`Signing secret for ${created.endpoint.url}.`} value={created.secret}>
            <p class="hint">Check each delivery’s Refcard-Signature header (t=…,v1=HMAC-SHA256 of “t.body”) with it.</p>
          </OnceSecret>
        ) : null}
        <p>Refcard sends referrer.created, lead.created, lead.qualified, lead.unqualified and reward.issued as signed JSON, retrying with back-off; every attempt is logged.</p>
        <form method="post" action="/admin/webhooks" class="card">
          <Csrf token={csrf} />
          <ErrorSummary errors={errors} />
          <TextField id="url" type="url" label="Endpoint URL" value={values?.url} error={errors.url} maxlength={2000} />
          <TextField id="description" label="Description (optional)" value={values?.description} error={errors.description} maxlength={200} />
          <fieldset>
            <legend>Events (none ticked: all)</legend>
            {EVENT_TYPES.map((t) => (
              <CheckboxField id={`event-${t}`} name="events" value={t} label={t} checked={values?.events.includes(t) ?? false} />
            ))}
          </fieldset>
          <button type="submit">Add endpoint</button>
        </form>
        {list.length === 0 ? (
          <p>No endpoints yet.</p>
        ) : (
          <Table head={['Endpoint', 'Events', 'Created', 'Actions']}>
            {list.map((e) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/webhooks/${e.id}`}>{e.url}</a>
                  {e.description ? <div class="hint">{e.description}</div> : null}
                </th>
                <td>{e.events.length ? e.events.join(', ') : 'all'}</td>
                <td>{when(e.createdAt)}</td>
                <td>
                  <a href={`/admin/webhooks/${e.id}`}>Delivery log</a>
                  <DangerButton action={`/admin/webhooks/${e.id}/delete`} csrf={csrf} label={`Delete endpoint ${e.url}`} inline>
                    Delete
                  </DangerButton>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </>
    ),
  });
}
