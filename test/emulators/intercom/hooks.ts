// `/__emulator/*`: the emulator's own control API, so sandbox mode, browser tests and curious
// humans can drive it over HTTP. Each hook is a thin wrapper over an IntercomEmulator method.
import { Hono, type Context } from 'hono';
import { ApiError, contactNotFound } from './errors.ts';
import type { FaultKind, FaultMatch, FaultSettings } from './faults.ts';
import type { IntercomEmulator } from './index.ts';
import type { RequestFilter } from './request-log.ts';

type Handler = (c: Context, body: Record<string, unknown>) => unknown;

/** JSON in, JSON out; emulator errors become 4xx with a readable message. */
const hook = (fn: Handler) => async (c: Context) => {
  try {
    const text = c.req.method === 'GET' || c.req.method === 'DELETE' ? '' : await c.req.text();
    const body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
    const out = await fn(c, body);
    return c.json(out === undefined ? { ok: true } : out);
  } catch (e) {
    if (e instanceof ApiError) return c.json(e.toBody(), e.status as 400);
    return c.json({ error: e instanceof Error ? e.message : String(e) }, 400);
  }
};

/** JSON cannot carry a RegExp; `pathPattern` is one as a string. */
const toMatch = (m: unknown): FaultMatch | undefined => {
  if (!m || typeof m !== 'object') return undefined;
  const { method, path, pathPattern } = m as { method?: string; path?: string; pathPattern?: string };
  return { method, path: pathPattern ? new RegExp(pathPattern) : path };
};

const logFilter = (q: Record<string, string>): RequestFilter => ({
  method: q.method,
  path: q.pathPattern ? new RegExp(q.pathPattern) : q.path,
  status: q.status ? Number(q.status) : undefined,
  workspace: q.workspace,
  clientId: q.clientId,
});

export function hookRoutes(emu: () => IntercomEmulator): Hono {
  const r = new Hono();
  const e = () => emu();
  const p = (c: Context, name: string) => c.req.param(name) ?? '';

  r.get('/health', hook(() => ({ ok: true })));
  r.get('/state', hook(() => ({ url: e().url, workspaces: e().workspaces(), apps: e().apps(), settings: e().settings })));

  r.post('/workspaces', hook((_c, b) => e().createWorkspace(b as never)));
  r.get('/workspaces/:idCode', hook((c) => e().workspace(p(c, 'idCode'))));
  r.post('/workspaces/:idCode/seed', hook((c, b) => e().seedWorkspace(p(c, 'idCode'), b as never)));
  r.post('/workspaces/:idCode/generate', hook((c, b) => e().generateContacts(p(c, 'idCode'), Number(b.count ?? 0), b as never)));

  r.post('/apps', hook((_c, b) => e().registerApp(b as never)));
  r.post('/apps/:clientId/webhook', hook(async (c, b) => {
    await e().webhooks.configure(p(c, 'clientId'), { url: String(b.url), topics: (b.topics as string[]) ?? [] });
  }));
  r.post('/install', hook((_c, b) => e().installApp(String(b.clientId), String(b.idCode), b.adminId as string | undefined)));
  r.post('/authorize', hook((_c, b) => ({ code: e().authorize(String(b.clientId), String(b.idCode), b.adminId as string | undefined) })));
  r.post('/uninstall', hook((_c, b) => e().uninstall(String(b.clientId), String(b.idCode))));

  // Admin actions in the Intercom UI (they fire webhooks).
  const ws = '/workspaces/:idCode/contacts';
  r.get(ws, hook((c) => {
    const email = c.req.query('email');
    if (email) return e().findContactsByEmail(p(c, 'idCode'), email);
    return { count: e().workspace(p(c, 'idCode')).counts.contacts };
  }));
  r.get(`${ws}/:id`, hook((c) => {
    const found = e().getContact(p(c, 'idCode'), p(c, 'id'));
    if (!found) throw contactNotFound();
    return found;
  }));
  r.post(ws, hook((c, b) => e().ui.createContact(p(c, 'idCode'), b as never)));
  r.patch(`${ws}/:id`, hook((c, b) => e().ui.updateContact(p(c, 'idCode'), p(c, 'id'), b as never)));
  r.delete(`${ws}/:id`, hook((c) => e().ui.deleteContact(p(c, 'idCode'), p(c, 'id'))));
  r.put(`${ws}/:id/attributes/:name`, hook((c, b) => e().ui.updateAttribute(p(c, 'idCode'), p(c, 'id'), p(c, 'name'), b.value as never)));
  r.post(`${ws}/:id/tags`, hook((c, b) => e().ui.tagContact(p(c, 'idCode'), p(c, 'id'), String(b.tag), b.adminId as string | undefined)));
  r.delete(`${ws}/:id/tags/:tag`, hook((c) => e().ui.untagContact(p(c, 'idCode'), p(c, 'id'), decodeURIComponent(p(c, 'tag')))));
  r.post(`${ws}/:id/convert`, hook((c, b) => e().ui.convertLead(p(c, 'idCode'), p(c, 'id'), b as never)));
  r.post(`${ws}/:id/archive`, hook((c) => e().ui.archiveContact(p(c, 'idCode'), p(c, 'id'))));
  r.post('/workspaces/:idCode/tags', hook((c, b) => e().ui.createTag(p(c, 'idCode'), String(b.name))));
  r.post('/workspaces/:idCode/segments', hook((c, b) => e().ui.createSegment(p(c, 'idCode'), b as never)));
  r.post('/workspaces/:idCode/data_attributes', hook((c, b) => e().ui.createDataAttribute(p(c, 'idCode'), b)));
  r.post('/workspaces/:idCode/conversations', hook((c, b) => e().ui.createConversation(p(c, 'idCode'), b as never)));

  // Knobs.
  r.post('/faults', hook((_c, b) => e().faults.set({ ...(b as FaultSettings), match: toMatch(b.match) })));
  r.post('/faults/next', hook((_c, b) => e().faults.failNext(Number(b.count ?? 1), (b.kind ?? 500) as FaultKind, toMatch(b.match))));
  r.delete('/faults', hook(() => e().faults.clear()));
  r.post('/rate-limits', hook((_c, b) => e().setRateLimits(b)));
  r.post('/search-lag', hook((_c, b) => e().setSearchLag(Number(b.ms ?? 0))));

  r.get('/requests', hook((c) => e().requestLog.entries(logFilter(c.req.query()))));
  r.delete('/requests', hook(() => e().requestLog.clear()));

  r.get('/webhooks/deliveries', hook(() => e().webhooks.deliveries));
  r.delete('/webhooks/deliveries', hook(() => e().webhooks.clear()));
  r.post('/webhooks/behaviour', hook((_c, b) => e().webhooks.setBehaviour(b)));
  r.post('/webhooks/settle', hook(async () => { await e().webhooks.settle(); }));

  // Play the inbox: the result says what the teammate would see.
  r.post('/canvas/initialize', hook((_c, b) => e().canvas.initialize(b as never)));
  r.post('/canvas/submit', hook((_c, b) => e().canvas.submit(b as never)));

  r.post('/save', hook(async (_c, b) => { await e().save(b.file as string | undefined); }));
  return r;
}
