import type { Context, Hono } from 'hono';
import { CardFetchError } from './card-driver.ts';
import { HsError } from './errors.ts';
import type { HsEnv } from './http.ts';
import type { RequestLogFilter } from './request-log.ts';
import type { HubspotEmulator } from './index.ts';

// /__emulator/*: the same hooks as the emulator object's methods, over HTTP, so sandbox mode and
// browser tests (which only have a URL) can seed, act as a HubSpot user, inject faults and read
// the logs. Unauthenticated on purpose: the emulator only ever listens on 127.0.0.1.

type Body = Record<string, any>;

async function body(c: Context<HsEnv>): Promise<Body> {
  const text = await c.req.text();
  return text ? (JSON.parse(text) as Body) : {};
}

async function handle(c: Context<HsEnv>, fn: (b: Body) => unknown | Promise<unknown>) {
  try {
    const out = await fn(await body(c));
    return c.json((out ?? { ok: true }) as object);
  } catch (e) {
    if (e instanceof HsError) return c.json(e.body(), e.httpStatus as 400);
    if (e instanceof CardFetchError) return c.json({ error: { code: e.code, message: e.message } }, 502);
    return c.json({ error: { message: (e as Error).message } }, 400);
  }
}

function logFilter(q: Record<string, string>): RequestLogFilter {
  return {
    method: q.method,
    path: q.path,
    portalId: q.portalId ? Number(q.portalId) : undefined,
    appId: q.appId ? Number(q.appId) : undefined,
    status: q.status ? Number(q.status) : undefined,
    since: q.since ? Number(q.since) : undefined,
  };
}

const UI_ACTIONS: Record<string, (emu: HubspotEmulator, b: Body) => unknown> = {
  createContact: (e, b) => ({ id: e.ui.createContact(b.portalId, b.properties, b) }),
  updateContact: (e, b) => e.ui.updateContact(b.portalId, b.contact, b.properties, b),
  deleteContact: (e, b) => e.ui.deleteContact(b.portalId, b.contact, b),
  gdprDeleteContact: (e, b) => e.ui.gdprDeleteContact(b.portalId, b.contact, b),
  restoreContact: (e, b) => e.ui.restoreContact(b.portalId, b.contactId, b),
  mergeContacts: (e, b) => ({ id: e.ui.mergeContacts(b.portalId, b.primary, b.merged, b) }),
  createDeal: (e, b) => ({ id: e.ui.createDeal(b.portalId, b.properties, b) }),
  updateDeal: (e, b) => e.ui.updateDeal(b.portalId, b.dealId, b.properties, b),
  moveDealStage: (e, b) => e.ui.moveDealStage(b.portalId, b.dealId, b.stageId, b),
  deleteDeal: (e, b) => e.ui.deleteDeal(b.portalId, b.dealId, b),
  associate: (e, b) => ({ added: e.ui.associate(b.portalId, b.dealId, b.contact, b) }),
  dissociate: (e, b) => ({ removed: e.ui.dissociate(b.portalId, b.dealId, b.contact, b) }),
  createList: (e, b) => ({ listId: e.ui.createList(b.portalId, b as never) }),
  addToList: (e, b) => ({ added: e.ui.addToList(b.portalId, b.listId, b.contacts) }),
  removeFromList: (e, b) => ({ removed: e.ui.removeFromList(b.portalId, b.listId, b.contacts) }),
};

export function registerAdminRoutes(app: Hono<HsEnv>, emu: HubspotEmulator): void {
  const r = '/__emulator';
  app.get(`${r}/health`, (c) => c.json({ ok: true, now: emu.now() }));
  app.get(`${r}/state`, (c) => c.json(emu.summary()));
  app.post(`${r}/apps`, (c) => handle(c, (b) => emu.registerApp(b as never)));
  app.post(`${r}/portals`, (c) => handle(c, (b) => {
    const p = emu.createPortal(b);
    return { portalId: p.portalId, hubDomain: p.hubDomain, users: p.users };
  }));
  app.post(`${r}/portals/:portalId/seed`, (c) => handle(c, (b) => emu.seedPortal(Number(c.req.param('portalId')), b)));
  app.post(`${r}/portals/:portalId/generate-contacts`, (c) =>
    handle(c, (b) => emu.generateContacts(Number(c.req.param('portalId')), Number(b.count), b)));
  app.get(`${r}/portals/:portalId/contacts/:ref`, (c) => handle(c, () => {
    const ref = c.req.param('ref');
    const v = emu.portal(Number(c.req.param('portalId'))).contact(/^\d+$/.test(ref) ? Number(ref) : ref);
    if (!v) throw new HsError(404, 'OBJECT_NOT_FOUND', `No contact ${ref}`);
    return v;
  }));
  app.get(`${r}/portals/:portalId/deals/:id`, (c) => handle(c, () => {
    const v = emu.portal(Number(c.req.param('portalId'))).deal(Number(c.req.param('id')));
    if (!v) throw new HsError(404, 'OBJECT_NOT_FOUND', `No deal ${c.req.param('id')}`);
    return v;
  }));
  app.get(`${r}/portals/:portalId/lists`, (c) => handle(c, () => emu.portal(Number(c.req.param('portalId'))).lists));

  app.post(`${r}/install`, (c) => handle(c, (b) => emu.installApp(b.appId, b.portalId, b)));
  app.post(`${r}/tokens`, (c) => handle(c, (b) => emu.issueTokens(b.appId, b.portalId, b)));
  app.post(`${r}/uninstall`, (c) => handle(c, (b) => ({ uninstalled: emu.uninstall(b.appId, b.portalId) })));
  app.post(`${r}/ui/:action`, (c) => handle(c, (b) => {
    const action = UI_ACTIONS[c.req.param('action')];
    if (!action) throw new Error(`Unknown UI action ${c.req.param('action')}; known: ${Object.keys(UI_ACTIONS).join(', ')}`);
    return action(emu, b);
  }));

  app.get(`${r}/faults`, (c) => c.json(emu.faults.current()));
  app.post(`${r}/faults`, (c) => handle(c, (b) => emu.faults.set(b)));
  app.delete(`${r}/faults`, (c) => handle(c, () => emu.faults.clear()));
  app.post(`${r}/rate-limits`, (c) => handle(c, (b) => emu.rateLimits.configure(b)));
  app.delete(`${r}/rate-limits`, (c) => handle(c, () => emu.rateLimits.reset()));
  app.post(`${r}/clock/advance`, (c) => handle(c, (b) => {
    emu.advanceClock(Number(b.ms));
    return { now: emu.now() };
  }));

  app.get(`${r}/requests`, (c) => c.json(emu.requestLog.entries(logFilter(c.req.query()))));
  app.get(`${r}/requests/count`, (c) => c.json({ count: emu.requestLog.count(logFilter(c.req.query())) }));
  app.delete(`${r}/requests`, (c) => handle(c, () => emu.requestLog.clear()));

  app.get(`${r}/webhooks/deliveries`, (c) => c.json(emu.webhooks.deliveries));
  app.post(`${r}/webhooks/settle`, (c) => handle(c, (b) => emu.webhooks.settle({ retries: b.retries, timeoutMs: b.timeoutMs ?? 30_000 })));
  app.post(`${r}/webhooks/behaviour`, (c) => handle(c, (b) => emu.webhooks.setBehaviour(b)));
  app.post(`${r}/webhooks/replay/:id`, (c) => handle(c, () => emu.webhooks.replay(Number(c.req.param('id')))));

  app.post(`${r}/card/fetch`, (c) => handle(c, (b) => emu.card.fetch(b as never)));
  app.post(`${r}/save`, (c) => handle(c, () => emu.save()));
}
