/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { desc, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { apiKeys } from '../../db/schema.ts';
import { createApiKey, revokeApiKey } from '../../program/accounts.ts';
import { audit } from '../../program/audit.ts';
import { notFound } from '../../program/errors.ts';
import { isStorableText } from '../../http/json-body.ts';
import { adminActor, field, type AdminEnv } from '../guard.ts';
import { Badge, Csrf, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { ErrorSummary, OnceSecret, TextField, Table, DangerButton } from '../ui.tsx';
import { accountOf, isUuid, type AdminContext } from './common.ts';

// `/admin/api-keys`: keys for the REST API. A new key is shown once, on the answer to the form
// that made it (never in a URL or a cookie); only its hash is kept.

export function apiKeyRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/api-keys', (c) => keysPage(ctx, c, null, {}));

  app.post('/admin/api-keys', async (c) => {
    const name = field(c.get('form'), 'name');
    if (!name || name.length > 100 || !isStorableText(name)) return keysPage(ctx, c, null, { name: 'Give the key a name of up to 100 characters, such as “Billing system”.' });
    const session = c.get('session');
    const created = await ctx.db.transaction(async (tx) => {
      const k = await createApiKey(tx, session.accountId, name);
      await audit(tx, { accountId: session.accountId, action: 'api_key.created', actor: adminActor(session), after: { id: k.id, name, prefix: k.prefix } });
      return k;
    });
    return keysPage(ctx, c, { name, key: created.key }, {});
  });

  app.post('/admin/api-keys/:id/revoke', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw notFound('The API key');
    const session = c.get('session');
    const revoked = await ctx.db.transaction(async (tx) => {
      const ok = await revokeApiKey(tx, session.accountId, id);
      if (ok) await audit(tx, { accountId: session.accountId, action: 'api_key.revoked', actor: adminActor(session), after: { id } });
      return ok;
    });
    if (!revoked) {
      // Another account's key, or none: the same 404. Already revoked: say so.
      if (!(await ownsKey(ctx, session.accountId, id))) throw notFound('The API key');
      return done(c, '/admin/api-keys', 'That key was already revoked.', 'info');
    }
    return done(c, '/admin/api-keys', 'Key revoked: requests with it are refused from now on.');
  });
}

async function ownsKey(ctx: AppContext, accountId: string, id: string) {
  const [row] = await ctx.db.select({ accountId: apiKeys.accountId }).from(apiKeys).where(eq(apiKeys.id, id));
  return row?.accountId === accountId;
}

async function keysPage(ctx: AppContext, c: AdminContext, created: { name: string; key: string } | null, errors: Record<string, string>) {
  const keys = await ctx.db.select().from(apiKeys).where(eq(apiKeys.accountId, accountOf(c))).orderBy(desc(apiKeys.createdAt));
  const csrf = c.get('session').csrfToken;
  return renderPage(c, {
    title: 'API keys',
    nav: 'api-keys',
    status: Object.keys(errors).length ? 400 : 200,
    children: (
      <>
        {created ? <OnceSecret id="new-key" label={`New key “${created.name}”.`} value={created.key} /> : null}
        <p>
          Send a key as <code>Authorization: Bearer &lt;key&gt;</code> to the <a href="/api/docs">REST API</a>.
        </p>
        <form method="post" action="/admin/api-keys" class="card">
          <Csrf token={csrf} />
          <ErrorSummary errors={errors} />
          <TextField id="name" label="Name of the new key" hint="Where it will be used, so you know what breaks if you revoke it." error={errors.name} maxlength={100} />
          <div class="actions">
            <button type="submit">Create key</button>
          </div>
        </form>
        <Table head={['Name', 'Starts with', 'Created', 'Last used', 'Status']}>
          {keys.map((k) => (
            <tr>
              <th scope="row">{k.name}</th>
              <td class="mono">{k.prefix}…</td>
              <td>{when(k.createdAt)}</td>
              <td>{k.lastUsedAt ? when(k.lastUsedAt) : 'never'}</td>
              <td>
                {k.revokedAt ? (
                  <Badge tone="bad">Revoked {when(k.revokedAt)}</Badge>
                ) : (
                  <DangerButton action={`/admin/api-keys/${k.id}/revoke`} csrf={csrf} label={`Revoke key ${k.name}`}>
                    Revoke
                  </DangerButton>
                )}
              </td>
            </tr>
          ))}
        </Table>
      </>
    ),
  });
}
