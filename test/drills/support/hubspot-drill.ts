import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { createHubspotEmulator, type HubspotEmulator, type HubspotEmulatorOptions, type RegisteredApp } from '../../emulators/hubspot/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { appScopes, webhookSubscriptions } from '../../../server/hubspot/app-meta.ts';
import { connectPortal } from '../../../server/hubspot/install.ts';
import { hubspotV3Signature } from '../../../server/platform/signatures.ts';
import { auditEvents, crmLinks, participants, rewards, webhookInbox, type Connection } from '../../../server/db/schema.ts';
import { freePort, startRefcardProcess, type RefcardProcess } from './processes.ts';

// One HubSpot drill: the emulator listening on 127.0.0.1, a portal that installed Refcard through
// the real install path, one PostgreSQL database, and Refcard server and worker processes started
// and killed at will. The drill's own in-process app (workers off) shares the database and the
// encryption key, for seeding and for reading outcomes.

export interface HubspotDrill {
  emu: HubspotEmulator;
  app: RegisteredApp;
  portalId: number;
  port: number;
  publicUrl: string;
  /** in-process app on the drill's database; its workers are off */
  t: TestApp;
  connection: Connection;
  accountId: string;
  /** environment of the drill's server processes */
  env: Record<string, string>;
  /** a server process on the drill's database; `port` defaults to the PUBLIC_URL's (another port is another instance behind the same URL) */
  start(role: 'web' | 'worker', opts?: { workers?: boolean; port?: number }): Promise<RefcardProcess>;
  stop(): Promise<void>;
}

export async function startHubspotDrill(opts: { emulator?: HubspotEmulatorOptions; webhooks?: boolean } = {}): Promise<HubspotDrill> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const emu = createHubspotEmulator({ webhookRetryDelaysMs: [500, 1000, 2000, 4000, 8000], ...opts.emulator });
  const apiBase = await emu.listen(0);
  const app = emu.registerApp({
    name: 'Refcard',
    redirectUrls: [`${publicUrl}/oauth/hubspot/callback`],
    scopes: appScopes().required,
    permittedFetchOrigins: [publicUrl],
    ...(opts.webhooks !== false && { webhooks: { targetUrl: `${publicUrl}/hubspot/webhooks`, maxConcurrentRequests: 10, subscriptions: webhookSubscriptions() } }),
  });
  const portal = emu.createPortal({ users: [{ email: 'rita@acme.test', firstName: 'Rita', lastName: 'Rep' }] });
  const shared: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HUBSPOT_CLIENT_ID: app.clientId,
    HUBSPOT_CLIENT_SECRET: app.clientSecret,
    HUBSPOT_APP_ID: String(app.appId),
    HUBSPOT_API_BASE: apiBase,
    HUBSPOT_AUTH_BASE: apiBase,
  };
  const t = await startTestApp({ workers: false, env: shared });
  const env = { ...shared, DATABASE_URL: t.database.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'refcard-drill-')), LOG_LEVEL: 'warn' };
  const { code } = emu.installApp(app.appId, portal.portalId);
  const installed = await connectPortal(t.ctx, { code, accountId: t.account.id, redirectUri: `${publicUrl}/oauth/hubspot/callback` });
  const processes: RefcardProcess[] = [];
  return {
    emu,
    app,
    portalId: portal.portalId,
    port,
    publicUrl,
    t,
    connection: installed.connection,
    accountId: installed.accountId,
    env,
    async start(role, o = {}) {
      const p = await startRefcardProcess({ role, env, port: o.port ?? port, workers: o.workers });
      processes.push(p);
      return p;
    },
    async stop() {
      for (const p of processes) await p.kill9().catch(() => {});
      await emu.close();
      await t.stop();
      rmSync(env.DATA_DIR, { recursive: true, force: true });
    },
  };
}

/** A HubSpot webhook delivery as HubSpot makes it: a JSON array, signed v3 with a fresh timestamp. */
export function signedDelivery(d: Pick<HubspotDrill, 'app' | 'publicUrl'>, events: unknown[]): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(events);
  const ts = String(Date.now());
  const sig = hubspotV3Signature(d.app.clientSecret, 'POST', `${d.publicUrl}/hubspot/webhooks`, body, ts);
  return { body, headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts } };
}

/** POSTs a delivery to a server process; true only for a 200 (what HubSpot counts as delivered). */
export async function deliver(d: Pick<HubspotDrill, 'app' | 'publicUrl'>, url: string, events: unknown[]): Promise<boolean> {
  const { body, headers } = signedDelivery(d, events);
  try {
    const res = await fetch(`${url}/hubspot/webhooks`, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export interface QualifyEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  objectTypeId: string;
  propertyName: string;
  propertyValue: string;
  changeSource: string;
  sourceId: string;
}

/** The inbox key webhooks.ts gives an event (portal, subscription, event id, time, object, value). */
export const inboxKey = (e: QualifyEvent) => [e.portalId, e.subscriptionId, e.eventId, e.occurredAt, e.objectId, e.propertyValue].join(':');

/** How many of these inbox keys are stored, and how many of all stored events are still unapplied. */
export async function inboxState(t: TestApp, keys: string[]) {
  const stored = new Set<string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await t.ctx.db.select({ k: webhookInbox.dedupeKey }).from(webhookInbox).where(inArray(webhookInbox.dedupeKey, keys.slice(i, i + 1000)));
    for (const r of rows) stored.add(r.k);
  }
  const [pending] = await t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(webhookInbox).where(isNull(webhookInbox.processedAt));
  return { stored, pending: pending!.n };
}

/** Per lead: its status, the rewards it earned its referrer, and its `lead.qualified` audit events. */
export async function qualificationOutcome(t: TestApp, leadIds: string[]) {
  const leads = await t.ctx.db.select({ id: participants.id, status: participants.leadStatus }).from(participants).where(inArray(participants.id, leadIds));
  const rewardRows = await t.ctx.db.select({ lead: rewards.leadId }).from(rewards).where(inArray(rewards.leadId, leadIds));
  const audits = await t.ctx.db
    .select({ p: auditEvents.participantId })
    .from(auditEvents)
    .where(and(inArray(auditEvents.participantId, leadIds), eq(auditEvents.action, 'lead.qualified')));
  const count = (rows: { v: string | null }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) if (r.v) m.set(r.v, (m.get(r.v) ?? 0) + 1);
    return m;
  };
  return {
    statuses: new Map(leads.map((l) => [l.id, l.status])),
    rewards: count(rewardRows.map((r) => ({ v: r.lead }))),
    audits: count(audits.map((a) => ({ v: a.p }))),
  };
}

/**
 * `n` referred leads in a campaign that qualifies on `lifecyclestage = customer`, each one a HubSpot
 * contact linked to its participant, as a sync or a write-back would have left them.
 */
export async function seedLeads(d: HubspotDrill, n: number, tag: string) {
  const campaign = (
    await d.t.api('POST', '/api/v1/campaigns', {
      name: `Drill ${tag}`,
      reward_rules: [{ id: 'bounty', name: '$10 per friend', recipient: 'referrer', amountCents: 1000, currency: 'USD' }],
      qualification_rules: [{ id: 'customer', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' }],
    })
  ).body;
  const referrers: { id: string; code: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await d.t.api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: `ref${i}.${tag}@drill.test`, first_name: `Ref ${i}` });
    if (r.status !== 201) throw new Error(`referrer: ${r.status} ${JSON.stringify(r.body)}`);
    referrers.push(r.body);
  }
  const emails = Array.from({ length: n }, (_, i) => `lead${i}.${tag}@drill.test`);
  const seeded = d.emu.seedPortal(d.portalId, { contacts: emails.map((email) => ({ key: email, properties: { email, lifecyclestage: 'lead' } })) });
  const leads: { id: string; email: string; contactId: number }[] = [];
  for (const [i, email] of emails.entries()) {
    const r = await d.t.api('POST', '/api/v1/leads', { campaign_id: campaign.id, email, referral_code: referrers[i % referrers.length]!.code });
    if (r.status !== 201) throw new Error(`lead: ${r.status} ${JSON.stringify(r.body)}`);
    leads.push({ id: r.body.id, email, contactId: Number(seeded.contacts[email]) });
  }
  await d.t.ctx.db
    .insert(crmLinks)
    .values(leads.map((l) => ({ participantId: l.id, connectionId: d.connection.id, externalId: String(l.contactId) })))
    .onConflictDoNothing();
  return { campaign, referrers, leads };
}

/** `perLead` events saying each lead's contact became a customer (distinct ids and times), plus one unrelated change each. */
export function qualifyingEvents(d: HubspotDrill, leads: { contactId: number }[], perLead: number, idBase: number): QualifyEvent[] {
  const now = Date.now();
  const out: QualifyEvent[] = [];
  let id = idBase;
  for (const [i, l] of leads.entries()) {
    const base = { subscriptionId: 7, portalId: d.portalId, appId: d.app.appId, subscriptionType: 'object.propertyChange', attemptNumber: 0, objectId: l.contactId, objectTypeId: '0-1', changeSource: 'CRM_UI', sourceId: 'userId:7' };
    for (let k = 0; k < perLead; k++) out.push({ ...base, eventId: ++id, occurredAt: now - 60_000 + i * 10 + k, propertyName: 'lifecyclestage', propertyValue: 'customer' });
    out.push({ ...base, eventId: ++id, occurredAt: now - 60_000 + i * 10 + perLead, propertyName: 'hs_lead_status', propertyValue: 'IN_PROGRESS' });
  }
  return out;
}

/** A deterministic shuffle (HubSpot delivers in no particular order). */
export function shuffled<T>(items: T[], seed = 42): T[] {
  const a = [...items];
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 1 | s) + 0x6d2b79f5) >>> 0) / 4294967296);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
