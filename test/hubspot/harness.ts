import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHubspotEmulator, type HubspotEmulator, type HubspotEmulatorOptions, type RegisteredApp } from '../emulators/hubspot/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { appScopes, webhookSubscriptions } from '../../server/hubspot/app-meta.ts';
import { connections, type Connection } from '../../server/db/schema.ts';
import { createApiKey } from '../../server/program/accounts.ts';

// Refcard on a real PostgreSQL, and an emulated HubSpot that the server talks to over HTTP (the SDK
// uses the global fetch) and that calls the server in-process, as HubSpot's webhook and
// hubspot.fetch proxies would. The app is registered from the developer project's own files.

export const PUBLIC_URL = 'http://refcard.test';

export interface Hub {
  emu: HubspotEmulator;
  apiBase: string;
  app: RegisteredApp;
  portalId: number;
  t: TestApp;
  /** installs through the real redirect flow, as an admin clicking "Connect app" */
  install(opts?: { portalId?: number; cookie?: string }): Promise<Installed>;
  /** the card calling GET /hubspot/card through hubspot.fetch */
  card(contactId: number | string, opts?: { portalId?: number; campaignId?: string }): Promise<{ status: number; json: any }>;
  /** the card's buttons: POST /hubspot/card/actions */
  action(contactId: number | string, body: Record<string, unknown>, opts?: { portalId?: number }): Promise<{ status: number; json: any }>;
  /** an API caller for the account the install created */
  apiFor(accountId: string): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>>;
  connection(portalId?: number): Promise<Connection>;
  stop(): Promise<void>;
}

export interface Installed {
  connection: Connection;
  accountId: string;
  /** cookies the browser holds afterwards (the admin session) */
  cookie: string;
  status: number;
  location: string | null;
}

export async function startHub(opts: { workers?: boolean; emulator?: HubspotEmulatorOptions } = {}): Promise<Hub> {
  const emu = createHubspotEmulator({ webhookRetryDelaysMs: [200, 400, 800, 1600], ...opts.emulator });
  const apiBase = await emu.listen();
  const app = emu.registerApp({
    name: 'Refcard',
    redirectUrls: [`${PUBLIC_URL}/oauth/hubspot/callback`],
    scopes: appScopes().required,
    permittedFetchOrigins: [PUBLIC_URL],
    webhooks: { targetUrl: `${PUBLIC_URL}/hubspot/webhooks`, maxConcurrentRequests: 10, subscriptions: webhookSubscriptions() },
  });
  const portal = emu.createPortal({ users: [{ email: 'rita@acme.test', firstName: 'Rita', lastName: 'Rep' }] });
  const t = await startTestApp({
    workers: opts.workers ?? true,
    env: {
      PUBLIC_URL,
      HUBSPOT_CLIENT_ID: app.clientId,
      HUBSPOT_CLIENT_SECRET: app.clientSecret,
      HUBSPOT_APP_ID: String(app.appId),
      HUBSPOT_API_BASE: apiBase,
      HUBSPOT_AUTH_BASE: apiBase,
    },
  });
  emu.setOutboundFetch((req) => Promise.resolve(t.app.fetch(req)));

  const hub: Hub = {
    emu,
    apiBase,
    app,
    portalId: portal.portalId,
    t,
    async install(o = {}) {
      const portalId = o.portalId ?? portal.portalId;
      const start = await t.app.request('/oauth/hubspot/install', { headers: o.cookie ? { cookie: o.cookie } : {} });
      expect(start.status).toBe(302);
      const cookie = mergeCookies(o.cookie ?? '', start.headers.getSetCookie());
      // HubSpot's consent page, approved for the chosen portal (the emulator's auto-approve).
      const consent = await fetch(`${start.headers.get('location')}&auto=1&portal_id=${portalId}`, { redirect: 'manual' });
      expect(consent.status).toBe(302);
      const back = new URL(consent.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(`${PUBLIC_URL}/oauth/hubspot/callback`);
      const done = await t.app.request(back.pathname + back.search, { headers: { cookie } });
      const [conn] = await t.ctx.db.select().from(connections).where(eq(connections.externalId, String(portalId)));
      return {
        connection: conn!,
        accountId: conn?.accountId ?? '',
        cookie: mergeCookies(cookie, done.headers.getSetCookie()),
        status: done.status,
        location: done.headers.get('location'),
      };
    },
    async card(contactId, o = {}) {
      const q = new URLSearchParams({ contactId: String(contactId) });
      if (o.campaignId) q.set('campaignId', o.campaignId);
      const r = await emu.card.fetch({ appId: app.appId, portalId: o.portalId ?? portal.portalId, userId: 7, userEmail: 'rita@acme.test', url: `${PUBLIC_URL}/hubspot/card?${q}`, associatedObjectId: contactId });
      return { status: r.status, json: r.json as any };
    },
    async action(contactId, body, o = {}) {
      const r = await emu.card.fetch({ appId: app.appId, portalId: o.portalId ?? portal.portalId, userId: 7, userEmail: 'rita@acme.test', url: `${PUBLIC_URL}/hubspot/card/actions`, method: 'POST', body: { contactId: String(contactId), ...body } });
      return { status: r.status, json: r.json as any };
    },
    async apiFor(accountId) {
      const key = await createApiKey(t.ctx.db, accountId, 'test');
      return async (method, path, body) => {
        const res = await t.app.request(path, {
          method,
          headers: { authorization: `Bearer ${key.key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      };
    },
    async connection(portalId = portal.portalId) {
      const [c] = await t.ctx.db.select().from(connections).where(eq(connections.externalId, String(portalId)));
      return c!;
    },
    async stop() {
      await emu.close();
      await t.stop();
    },
  };
  return hub;
}

function mergeCookies(existing: string, setCookies: string[]): string {
  const jar = new Map(existing.split('; ').filter(Boolean).map((kv) => [kv.split('=')[0]!, kv] as const));
  for (const sc of setCookies) {
    const kv = sc.split(';')[0]!;
    jar.set(kv.split('=')[0]!, kv);
  }
  return [...jar.values()].join('; ');
}

/** A campaign on the account, through the REST API. */
export async function createCampaign(api: Awaited<ReturnType<Hub['apiFor']>>, body: Record<string, unknown>): Promise<any> {
  const res = await api('POST', '/api/v1/campaigns', body);
  expect(res.status).toBe(201);
  return res.body;
}
