// OAuth for a public app, on the same server as the API (INTERCOM_AUTH_BASE = INTERCOM_API_BASE):
// a consent page, single-use codes that expire after 5 minutes, and the token exchange.
// Tokens never expire; uninstalling revokes them, after which the API answers 401.
import { randomBytes, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { errorBody } from './errors.ts';
import type { AppRec, InstallRec, Store, WorkspaceRec } from './state.ts';

export const CODE_TTL_MS = 5 * 60 * 1000;

export function installApp(store: Store, clientId: string, idCode: string, adminId?: string): InstallRec {
  store.app(clientId);
  const ws = store.workspace(idCode);
  const admin = adminId ?? [...ws.admins.keys()][0];
  if (!admin || !ws.admins.has(admin)) throw new Error(`Intercom emulator: no admin "${adminId}" in workspace ${idCode}`);
  // Re-installing keeps the live token: Intercom issues one token per app installation.
  const live = [...store.installs.values()].find((i) => i.client_id === clientId && i.id_code === idCode && !i.revoked);
  if (live) return live;
  const token = Buffer.from(`tok:${randomUUID()}:1:0`).toString('base64');
  const rec: InstallRec = { token, client_id: clientId, id_code: idCode, admin_id: admin, created_at: store.nowSeconds(), revoked: false };
  store.installs.set(token, rec);
  store.touch();
  return rec;
}

export function uninstall(store: Store, clientId: string, idCode: string): number {
  let n = 0;
  for (const i of store.installs.values()) {
    if (i.client_id === clientId && i.id_code === idCode && !i.revoked) { i.revoked = true; n++; }
  }
  store.touch();
  return n;
}

export function issueCode(store: Store, clientId: string, idCode: string, adminId?: string): string {
  store.app(clientId);
  const ws = store.workspace(idCode);
  const admin = adminId ?? [...ws.admins.keys()][0];
  if (!admin || !ws.admins.has(admin)) throw new Error(`Intercom emulator: no admin "${adminId}" in workspace ${idCode}`);
  const code = randomBytes(16).toString('hex');
  store.codes.set(code, { code, client_id: clientId, id_code: idCode, admin_id: admin, expires_at: store.now() + CODE_TTL_MS, used: false });
  return code;
}

export type ExchangeResult =
  | { ok: true; token: string; install: InstallRec }
  | { ok: false; status: 400 | 401; code: string; message: string };

export function exchangeCode(store: Store, body: Record<string, unknown>): ExchangeResult {
  const { code, client_id, client_secret } = body;
  const app = typeof client_id === 'string' ? store.apps.get(client_id) : undefined;
  if (!app || app.client_secret !== client_secret) return { ok: false, status: 401, code: 'invalid_client', message: 'Client authentication failed' };
  const rec = typeof code === 'string' ? store.codes.get(code) : undefined;
  if (!rec || rec.client_id !== app.client_id) return { ok: false, status: 400, code: 'invalid_grant', message: 'The authorization code is invalid' };
  if (rec.used) return { ok: false, status: 400, code: 'invalid_grant', message: 'The authorization code has already been used' };
  if (rec.expires_at <= store.now()) return { ok: false, status: 400, code: 'invalid_grant', message: 'The authorization code has expired' };
  rec.used = true;
  const install = installApp(store, rec.client_id, rec.id_code, rec.admin_id);
  return { ok: true, token: install.token, install };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function redirectTarget(app: AppRec, requested?: string | null): string | null {
  if (!requested) return app.redirect_urls[0] ?? null;
  return app.redirect_urls.includes(requested) ? requested : null;
}

const withParams = (url: string, params: Record<string, string | undefined>) => {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
};

const errorPage = (c: Context, message: string) =>
  c.html(`<!doctype html><html><head><title>Intercom</title></head><body><h1>Something went wrong</h1><p id="error">${esc(message)}</p></body></html>`, 400);

function consentPage(app: AppRec, workspaces: WorkspaceRec[], q: { state?: string; redirect?: string; selected?: string }): string {
  const choices = workspaces.flatMap((ws) => [...ws.admins.values()].map((a) => {
    const value = `${ws.id_code}:${a.id}`;
    return `<option value="${esc(value)}"${value.startsWith(`${q.selected}:`) || value === q.selected ? ' selected' : ''}>${esc(ws.name)} (${esc(ws.id_code)}) — ${esc(a.name)}</option>`;
  })).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Install ${esc(app.name)} - Intercom</title></head>
<body><main><h1>${esc(app.name)} would like to access your Intercom workspace</h1>
<form method="post" action="/oauth/approve">
<input type="hidden" name="client_id" value="${esc(app.client_id)}">
<input type="hidden" name="state" value="${esc(q.state ?? '')}">
<input type="hidden" name="redirect_uri" value="${esc(q.redirect ?? '')}">
<label>Workspace <select name="workspace" id="workspace">${choices}</select></label>
<button type="submit" name="decision" value="approve" id="approve">Authorize access</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
</form></main></body></html>`;
}

export function oauthRoutes(store: Store): Hono {
  const r = new Hono();

  // Consent. `approve=1` (emulator-only) skips the page for headless flows.
  r.get('/oauth', (c) => {
    const app = store.apps.get(c.req.query('client_id') ?? '');
    if (!app) return errorPage(c, 'Unknown client_id');
    const redirect = redirectTarget(app, c.req.query('redirect_uri'));
    if (!redirect) return errorPage(c, 'The redirect_uri is not registered for this app');
    const state = c.req.query('state');
    const workspaces = [...store.workspaces.values()].filter((w) => w.admins.size > 0);
    if (!workspaces.length) return errorPage(c, 'No workspace to install into');
    const selected = c.req.query('workspace_id') ?? workspaces[0].id_code;
    if (!store.workspaces.has(selected)) return errorPage(c, 'Unknown workspace');
    if (c.req.query('approve') === '1') {
      const adminId = c.req.query('admin_id');
      if (adminId && !store.workspace(selected).admins.has(adminId)) return errorPage(c, 'Unknown admin');
      const code = issueCode(store, app.client_id, selected, adminId);
      return c.redirect(withParams(redirect, { code, state }), 302);
    }
    return c.html(consentPage(app, workspaces, { state, redirect: c.req.query('redirect_uri') ?? '', selected }));
  });

  r.post('/oauth/approve', async (c) => {
    const form = await c.req.parseBody();
    const app = store.apps.get(String(form.client_id ?? ''));
    if (!app) return errorPage(c, 'Unknown client_id');
    const redirect = redirectTarget(app, String(form.redirect_uri ?? '') || null);
    if (!redirect) return errorPage(c, 'The redirect_uri is not registered for this app');
    const state = form.state ? String(form.state) : undefined;
    if (form.decision === 'deny') return c.redirect(withParams(redirect, { error: 'access_denied', state }), 302);
    const [idCode, adminId] = String(form.workspace ?? '').split(':');
    if (!store.workspaces.get(idCode)?.admins.has(adminId)) return errorPage(c, 'Unknown workspace or admin');
    return c.redirect(withParams(redirect, { code: issueCode(store, app.client_id, idCode, adminId), state }), 302);
  });

  // Token exchange; the form-encoded and the JSON variant are both seen in the wild.
  r.post('/auth/eagle/token', async (c) => {
    const type = c.req.header('content-type') ?? '';
    let body: Record<string, unknown> = {};
    if (type.includes('application/json')) body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    else body = (await c.req.parseBody()) as Record<string, unknown>;
    const result = exchangeCode(store, body);
    if (!result.ok) return c.json(errorBody(result.code, result.message), result.status);
    return c.json({ token_type: 'Bearer', token: result.token, access_token: result.token });
  });

  return r;
}
