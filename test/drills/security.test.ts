import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { createHubspotEmulator, signV3, type HubspotEmulator, type RegisteredApp } from '../emulators/hubspot/index.ts';
import { createIntercomEmulator, type IntercomEmulator } from '../emulators/intercom/index.ts';
import { eventually, startTestApp, type TestApp } from '../support/app.ts';
import { installThroughOAuth, type Harness } from '../intercom/harness.ts';
import { signedInCookies } from '../intercom/session.ts';
import { appScopes, webhookSubscriptions } from '../../server/hubspot/app-meta.ts';
import { connectPortal } from '../../server/hubspot/install.ts';
import { decrypt } from '../../server/platform/crypto.ts';
import { auditEvents, connections, crmLinks, oauthStates, participants, rewards, webhookInbox, type Connection } from '../../server/db/schema.ts';
import { createApiKey } from '../../server/program/accounts.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { systemActor } from '../../server/program/actor.ts';
import { fixedWindowLimiter } from '../../server/http/rate-limit.ts';
import { API_RATE_LIMIT } from '../../server/api/rate-limit.ts';
import { answerOf, canvasSignature, expectCleanJson, intercomWebhookSignature, type Answer } from './support/signed.ts';

// The security drills: requests a platform never signed, signed long ago, replayed, or signed for
// one tenant and aimed at another; OAuth states reused or carried to the other provider's callback;
// a database dump that must hold no usable secret; and the public routes' rate limits. One Refcard
// with both CRMs, two tenants: account A (HubSpot portal A, Intercom workspace A) and account B.

const PUBLIC_URL = 'http://refcard.test';
const WA = 'secwsaaa';
const WB = 'secwsbbb';
let t: TestApp;
let hs: HubspotEmulator;
let hsApp: RegisteredApp;
let ic: IntercomEmulator;
let icHarness: Harness;
const ic_ = { clientId: `refcard-${randomBytes(4).toString('hex')}`, clientSecret: randomBytes(24).toString('hex') };
let portalA: number;
let portalB: number;
let hsA: Connection;
let hsB: Connection;
let icA: Connection;
let icB: Connection;
/** A's campaign and referred lead, known in both CRMs */
const a = {} as { campaignId: string; leadId: string; leadEmail: string; hsContact: string; icContact: string; referrerId: string };
let bIcContact: string;
let bHsContact: string;
let endpointSecret: string;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  hs = createHubspotEmulator({ webhookRetryDelaysMs: [200, 400] });
  const hsBase = await hs.listen();
  hsApp = hs.registerApp({ name: 'Refcard', redirectUrls: [`${PUBLIC_URL}/oauth/hubspot/callback`], scopes: appScopes().required, permittedFetchOrigins: [PUBLIC_URL], webhooks: { targetUrl: `${PUBLIC_URL}/hubspot/webhooks`, maxConcurrentRequests: 10, subscriptions: webhookSubscriptions() } });
  portalA = hs.createPortal({ users: [{ email: 'rita@a.test' }] }).portalId;
  portalB = hs.createPortal({ users: [{ email: 'bob@b.test' }] }).portalId;
  ic = createIntercomEmulator({ webhookRetryDelaysMs: [300] });
  const icBase = await ic.listen();
  t = await startTestApp({
    env: {
      PUBLIC_URL,
      TRUST_PROXY: 'true',
      HUBSPOT_CLIENT_ID: hsApp.clientId,
      HUBSPOT_CLIENT_SECRET: hsApp.clientSecret,
      HUBSPOT_APP_ID: String(hsApp.appId),
      HUBSPOT_API_BASE: hsBase,
      HUBSPOT_AUTH_BASE: hsBase,
      INTERCOM_CLIENT_ID: ic_.clientId,
      INTERCOM_CLIENT_SECRET: ic_.clientSecret,
      INTERCOM_API_BASE: icBase,
      INTERCOM_AUTH_BASE: icBase,
    },
  });
  hs.setOutboundFetch((req) => Promise.resolve(t.app.fetch(req)));
  ic.setOutboundFetch(async (input, init) => t.app.fetch(new Request(input, init)));
  ic.registerApp({ ...ic_, name: 'Refcard', redirectUrls: [`${PUBLIC_URL}/oauth/intercom/callback`], initializeUrl: `${PUBLIC_URL}/intercom/canvas/initialize`, submitUrl: `${PUBLIC_URL}/intercom/canvas/submit`, webhookUrl: `${PUBLIC_URL}/intercom/webhooks`, topics: ['contact.lead.tag.created', 'contact.user.tag.created'] });
  icHarness = { t, emu: ic, clientId: ic_.clientId, clientSecret: ic_.clientSecret, apiBase: icBase, stop: async () => {} };

  // Tenant A: this account, with portal A and workspace A. Tenant B: its own account, by installing.
  hsA = (await connectPortal(t.ctx, { code: hs.installApp(hsApp.appId, portalA).code, accountId: t.account.id })).connection;
  hsB = (await connectPortal(t.ctx, { code: hs.installApp(hsApp.appId, portalB).code })).connection;
  ic.createWorkspace({ idCode: WA, name: 'Alpha' });
  ic.createWorkspace({ idCode: WB, name: 'Beta' });
  const seededA = ic.seedWorkspace(WA, { tags: ['Customer'], contacts: [{ email: 'lena@friends.test', name: 'Lena Lead', role: 'lead' }] });
  const seededB = ic.seedWorkspace(WB, { tags: ['Customer'], contacts: [{ email: 'lena@friends.test', name: 'Lena at B', role: 'lead' }] });
  bIcContact = seededB.contacts['lena@friends.test']!;
  ic.ui.createConversation(WA, { contactIds: [seededA.contacts['lena@friends.test']!] });
  ic.ui.createConversation(WB, { contactIds: [bIcContact] });
  expect((await installThroughOAuth(icHarness, WA, { cookies: await signedInCookies(icHarness, t.account.id) })).status).toBe(302);
  expect((await installThroughOAuth(icHarness, WB)).status).toBe(302);
  [icA, icB] = await Promise.all([WA, WB].map(async (w) => (await t.ctx.db.select().from(connections).where(and(eq(connections.provider, 'intercom'), eq(connections.externalId, w))))[0]!));
  expect(hsB.accountId).not.toBe(t.account.id);
  expect(icB.accountId).not.toBe(t.account.id);
  // Tenant B qualifies on the same signals, and has a contact with the same email as A's lead.
  await t.ctx.db.transaction((tx) =>
    createCampaign(tx, hsB.accountId, { name: 'Beta friends', qualificationRules: [{ id: 'c', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' }] }, systemActor()),
  );
  await t.ctx.db.transaction((tx) =>
    createCampaign(tx, icB.accountId, { name: 'Beta inbox', qualificationRules: [{ id: 't', kind: 'intercom_tag', tagId: seededB.tags.Customer!, tagName: 'Customer' }] }, systemActor()),
  );
  bHsContact = String(hs.seedPortal(portalB, { contacts: [{ key: 'lena', properties: { email: 'lena@friends.test' } }] }).contacts.lena);

  a.campaignId = (
    await t.api('POST', '/api/v1/campaigns', {
      name: 'Alpha friends',
      reward_rules: [{ id: 'r', name: '$20', recipient: 'referrer', amountCents: 2000, currency: 'USD' }],
      qualification_rules: [
        { id: 'customer', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' },
        { id: 'tag', kind: 'intercom_tag', tagId: seededA.tags.Customer, tagName: 'Customer' },
      ],
    })
  ).body.id;
  const ref = (await t.api('POST', '/api/v1/referrers', { campaign_id: a.campaignId, email: 'ref@a.test' })).body;
  a.referrerId = ref.id;
  a.leadEmail = 'lena@friends.test';
  a.leadId = (await t.api('POST', '/api/v1/leads', { campaign_id: a.campaignId, email: a.leadEmail, referral_code: ref.code })).body.id;
  a.icContact = seededA.contacts[a.leadEmail]!;
  a.hsContact = await eventually(async () => {
    const [l] = await t.ctx.db.select().from(crmLinks).where(and(eq(crmLinks.participantId, a.leadId), eq(crmLinks.connectionId, hsA.id)));
    expect(l).toBeDefined();
    return l!.externalId;
  }, 20_000);
  endpointSecret = (await t.api('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example/refcard' })).body.secret;
  expect(endpointSecret).toMatch(/^whsec_/);
}, 90_000);
afterAll(async () => {
  globalThis.fetch = realFetch;
  await hs?.close();
  await ic?.close();
  await t?.stop();
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

const leadA = async () => (await t.ctx.db.select().from(participants).where(eq(participants.id, a.leadId)))[0]!;
const rewardsOfA = async () => (await t.ctx.db.select().from(rewards).where(eq(rewards.leadId, a.leadId))).length;
const qualifiedAuditsOfA = async () => (await t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, a.leadId), eq(auditEvents.action, 'lead.qualified')))).length;

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Answer> {
  return answerOf(await t.app.request(path, { method, body, headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers } }));
}
const hsSig = (method: string, path: string, body: string, o: { secret?: string; ts?: number } = {}) => {
  const ts = o.ts ?? Date.now();
  return { 'x-hubspot-signature-v3': signV3(o.secret ?? hsApp.clientSecret, method, `${PUBLIC_URL}${path}`, body, ts), 'x-hubspot-request-timestamp': String(ts) };
};
const identity = (portal: number) => `userId=7&userEmail=rita%40a.test&portalId=${portal}&appId=${hsApp.appId}`;
const qualifyEvent = (portal: number, contact: string, eventId: number) => ({ eventId, subscriptionId: 9, portalId: portal, appId: hsApp.appId, occurredAt: Date.now(), subscriptionType: 'object.propertyChange', objectTypeId: '0-1', objectId: Number(contact), propertyName: 'lifecyclestage', propertyValue: 'customer', attemptNumber: 0, changeSource: 'CRM_UI' });

describe('requests HubSpot never signed as they arrive', () => {
  it('refuses forged, stale, future, re-stamped and tampered requests on every signed HubSpot route, and changes nothing', async () => {
    const actionBody = JSON.stringify({ contactId: a.hsContact, action: 'qualify', campaignId: a.campaignId, participantId: a.leadId, reason: 'forged' });
    const hookBody = JSON.stringify([qualifyEvent(portalA, a.hsContact, 990_001)]);
    const routes = [
      { method: 'GET', path: `/hubspot/card?contactId=${a.hsContact}&${identity(portalA)}`, body: '' },
      { method: 'POST', path: `/hubspot/card/actions?${identity(portalA)}`, body: actionBody },
      { method: 'GET', path: `/hubspot/settings?${identity(portalA)}`, body: '' },
      { method: 'POST', path: '/hubspot/webhooks', body: hookBody },
    ];
    const other = randomBytes(16).toString('hex');
    for (const r of routes) {
      const b = r.method === 'GET' ? undefined : r.body;
      const now = Date.now();
      const variants: [string, Record<string, string>, { path?: string; body?: string; method?: string }?][] = [
        ['unsigned', {}],
        ['signed with another app’s secret', hsSig(r.method, r.path, r.body, { secret: other })],
        ['signed 5 min 10 s ago', hsSig(r.method, r.path, r.body, { ts: now - 310_000 })],
        ['signed 6 min in the future', hsSig(r.method, r.path, r.body, { ts: now + 360_000 })],
        ['re-stamped with a fresh timestamp', { ...hsSig(r.method, r.path, r.body, { ts: now - 400_000 }), 'x-hubspot-request-timestamp': String(now) }],
        ['a v1 signature only', { 'x-hubspot-signature': 'a'.repeat(64), 'x-hubspot-signature-version': 'v1' }],
        ['signed for portal B, sent for portal A', hsSig(r.method, r.path.replace(`portalId=${portalA}`, `portalId=${portalB}`), r.body), { path: r.path.includes('portalId') ? r.path : undefined }],
        ['signed for another path', hsSig(r.method, '/hubspot/elsewhere', r.body)],
        ['signed for another method', hsSig(r.method === 'GET' ? 'POST' : 'GET', r.path, r.body)],
        ['signed, then the body changed', hsSig(r.method, r.path, r.body), { body: r.method === 'GET' ? undefined : r.body.replace('customer', 'evangelist').replace('forged', 'forgeD') }],
      ];
      for (const [name, headers, change = {}] of variants) {
        if (name.startsWith('signed for portal B') && !r.path.includes('portalId')) continue;
        if (name.startsWith('signed, then the body changed') && r.method === 'GET') continue;
        const res = await send(change.method ?? r.method, change.path ?? r.path, change.body ?? b, headers);
        expect(res.status, `${r.method} ${r.path.split('?')[0]}: ${name} → ${res.text.slice(0, 200)}`).toBe(401);
        expectCleanJson(res, `${r.path}: ${name}`);
        expect(res.json.code).toMatch(/^signature_(missing|stale|mismatch)$/);
      }
    }
    expect((await leadA()).leadStatus).toBe('pending');
    expect(await t.ctx.db.select().from(webhookInbox).where(eq(webhookInbox.dedupeKey, `${portalA}:9:990001:${JSON.parse(hookBody)[0].occurredAt}:${a.hsContact}:customer`))).toEqual([]);
  });

  it('does not let a portal’s events reach another tenant’s people, even when they name their contact ids', async () => {
    // Signed by HubSpot for portal B: one naming portal A's contact (a contact id means nothing
    // outside its portal), one naming B's own contact that has the same email as A's lead.
    const batch = JSON.stringify([
      qualifyEvent(portalB, a.hsContact, 990_101),
      { ...qualifyEvent(portalB, a.hsContact, 990_102), subscriptionType: 'contact.propertyChange', objectTypeId: undefined },
      qualifyEvent(portalB, bHsContact, 990_103),
    ]);
    const res = await send('POST', '/hubspot/webhooks', batch, hsSig('POST', '/hubspot/webhooks', batch));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ stored: 3 });
    const rows = await eventually(async () => {
      const r = await t.ctx.db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, hsB.id));
      expect(r).toHaveLength(3);
      for (const x of r) expect(x.processedAt).not.toBeNull();
      return r;
    }, 15_000);
    for (const r of rows) expect(r.result).toMatch(/^skipped: nobody to qualify; contact \d+ is not in campaign "Beta friends"/);
    expect((await leadA()).leadStatus).toBe('pending');
    expect(await t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, hsA.id), sql`${webhookInbox.dedupeKey} like ${`%:990101:%`}`))).toEqual([]);
  });

  it('applies a batch replayed many times, in full and in parts, exactly once', async () => {
    const events = [qualifyEvent(portalA, a.hsContact, 990_201), qualifyEvent(portalA, a.hsContact, 990_202)];
    const whole = JSON.stringify(events);
    for (let i = 0; i < 4; i++) {
      // HubSpot re-signs each attempt: the replay protection that matters here is the inbox's key.
      expect((await send('POST', '/hubspot/webhooks', whole, hsSig('POST', '/hubspot/webhooks', whole))).status).toBe(200);
      const part = JSON.stringify([{ ...events[i % 2]!, attemptNumber: i + 1 }]);
      expect((await send('POST', '/hubspot/webhooks', part, hsSig('POST', '/hubspot/webhooks', part))).json).toMatchObject({ stored: 0, duplicates: 1 });
    }
    await eventually(async () => expect((await leadA()).leadStatus).toBe('qualified'), 15_000);
    await eventually(async () => expect(await t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, hsA.id), sql`${webhookInbox.processedAt} is null`))).toEqual([]));
    expect(await rewardsOfA()).toBe(1);
    expect(await qualifiedAuditsOfA()).toBe(1);
  });
});

describe('Canvas Kit and Intercom webhooks, replayed and aimed at another tenant', () => {
  it('refuses canvas requests that are unsigned, signed with another secret or for another body, on both endpoints', async () => {
    const opened = await ic.canvas.initialize({ clientId: ic_.clientId, workspaceId: WA, contactId: a.icContact });
    const body = opened.request.body;
    for (const path of ['/intercom/canvas/initialize', '/intercom/canvas/submit']) {
      for (const [name, sig] of [
        ['no signature', undefined],
        ['another secret', canvasSignature('not-the-secret', body)],
        ['another body', canvasSignature(ic_.clientSecret, body + ' ')],
        ['the webhook signature scheme', intercomWebhookSignature(ic_.clientSecret, body)],
        ['the right MAC, base64', Buffer.from(canvasSignature(ic_.clientSecret, body), 'hex').toString('base64')],
      ] as const) {
        const res = await send('POST', path, body, sig === undefined ? {} : { 'x-body-signature': sig });
        expect(res.status, `${path}: ${name}`).toBe(401);
        expectCleanJson(res, `${path}: ${name}`);
      }
    }
  });

  it('cannot qualify another workspace’s lead from a canvas, whatever ids its stored data carries', async () => {
    // Workspace B's agent, on B's contact, clicks a button whose stored data names A's campaign and lead.
    const opened = await ic.canvas.initialize({ clientId: ic_.clientId, workspaceId: WB, contactId: bIcContact });
    const sub = JSON.parse(opened.request.body);
    const forged = { ...sub, component_id: `qualify:${a.leadId}`, current_canvas: { current_canvas: { content: { components: [] }, stored_data: { contactId: bIcContact, campaignId: a.campaignId, participantId: a.leadId } } }, input_values: {} };
    const raw = JSON.stringify(forged);
    const before = { rewards: await rewardsOfA(), status: (await leadA()).leadStatus };
    const res = await send('POST', '/intercom/canvas/submit', raw, { 'x-body-signature': canvasSignature(ic_.clientSecret, raw) });
    expect(res.status).toBe(200);
    expect(await rewardsOfA()).toBe(before.rewards);
    expect((await leadA()).leadStatus).toBe(before.status);
    const lead = await leadA();
    // (A's lead may be qualified by the HubSpot test above; B's click must not have touched it.)
    const audits = await t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, a.leadId), eq(auditEvents.source, 'intercom_inbox')));
    expect(audits).toEqual([]);
    expect(lead.accountId).toBe(t.account.id);
    expect(JSON.stringify(res.json)).not.toContain('Alpha friends');
  });

  it('applies a replayed Intercom notification once, and one from workspace B never touches workspace A’s people', async () => {
    const before = await t.ctx.db.select().from(auditEvents).where(eq(auditEvents.participantId, a.leadId));
    // B tags its own contact with the same email: A's lead must not move.
    ic.ui.tagContact(WB, bIcContact, 'Customer');
    await ic.webhooks.settle();
    const delivered = ic.webhooks.deliveries.filter((d) => d.topic === 'contact.lead.tag.created');
    expect(delivered.length).toBeGreaterThan(0);
    // The same notification, replayed by hand three times, and once re-addressed to workspace A without a new signature.
    for (let i = 0; i < 3; i++) {
      const again = await send('POST', '/intercom/webhooks', delivered[0]!.body, { 'x-hub-signature': intercomWebhookSignature(ic_.clientSecret, delivered[0]!.body) });
      expect(again.json).toMatchObject({ ok: true, duplicate: true });
    }
    const readdressed = delivered[0]!.body.replace(`"app_id":"${WB}"`, `"app_id":"${WA}"`);
    expect(readdressed).not.toBe(delivered[0]!.body);
    expect((await send('POST', '/intercom/webhooks', readdressed, { 'x-hub-signature': delivered[0]!.headers['X-Hub-Signature'] ?? delivered[0]!.headers['x-hub-signature']! })).status).toBe(401);
    await eventually(async () => expect(await t.ctx.db.select().from(webhookInbox).where(and(eq(webhookInbox.connectionId, icB.id), sql`${webhookInbox.processedAt} is null`))).toEqual([]), 15_000);
    // B's rule ran, and looked for the lead in B's account only.
    const results = await t.ctx.db.select({ r: webhookInbox.result }).from(webhookInbox).where(eq(webhookInbox.connectionId, icB.id));
    expect(results.map((x) => x.r)).toEqual(['skipped: not in campaign "Beta inbox"']);
    expect(await t.ctx.db.select().from(auditEvents).where(eq(auditEvents.participantId, a.leadId))).toHaveLength(before.length);
    expect(await t.ctx.db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, icA.id))).toEqual([]);
  });
});

describe('OAuth state', () => {
  /** Starts an install in a fresh browser; returns the state and the browser's cookie. */
  async function begin(provider: 'hubspot' | 'intercom') {
    const res = await t.app.request(`/oauth/${provider}/install`);
    expect(res.status).toBe(302);
    const state = new URL(res.headers.get('location')!).searchParams.get('state')!;
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return { state, cookie };
  }
  /** Every token exchange the server makes, seen at the network. */
  function watchTokenCalls() {
    const calls: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (/\/oauth\/v1\/token|\/auth\/eagle\/token/.test(url)) calls.push(url);
      return realFetch(input, init);
    }) as typeof fetch;
    return calls;
  }
  const callback = async (provider: 'hubspot' | 'intercom', query: string, cookie: string) => answerOf(await t.app.request(`/oauth/${provider}/callback?${query}`, { headers: { cookie } }));

  it('refuses a HubSpot state at the Intercom callback and an Intercom state at HubSpot’s, without trading any code, and burns the state', async () => {
    const calls = watchTokenCalls();
    const h = await begin('hubspot');
    const i = await begin('intercom');
    const hsCode = hs.installApp(hsApp.appId, portalA, { state: h.state }).code;
    const mixA = await callback('intercom', `code=${encodeURIComponent(hsCode)}&state=${encodeURIComponent(h.state)}`, h.cookie);
    expect(mixA.status).toBe(400);
    expect(mixA.text).toContain('started for another service');
    const mixB = await callback('hubspot', `code=whatever&state=${encodeURIComponent(i.state)}`, i.cookie);
    expect(mixB.status).toBe(400);
    expect(mixB.text).toContain('started for another service');
    expect(calls).toEqual([]);
    // A state shown at the wrong callback is spent: the right callback refuses it too.
    const late = await callback('hubspot', `code=${encodeURIComponent(hsCode)}&state=${encodeURIComponent(h.state)}`, h.cookie);
    expect(late.status).toBe(400);
    expect(late.text).toContain('expired or was already used');
    expect(calls).toEqual([]);
  });

  it('accepts an Intercom state once: reused, expired, from another browser or missing, it is refused before any code is traded', async () => {
    const once = await installThroughOAuth(icHarness, WA, { cookies: await signedInCookies(icHarness, t.account.id) });
    expect(once.status).toBe(302);
    const calls = watchTokenCalls();
    const used = await t.ctx.db.select().from(oauthStates).where(and(eq(oauthStates.provider, 'intercom'), sql`${oauthStates.usedAt} is not null`));
    expect(used.length).toBeGreaterThan(0);

    const fresh = await begin('intercom');
    const other = await begin('intercom');
    const cases: [string, string, string, RegExp][] = [
      ['another browser’s cookie', `code=c1&state=${encodeURIComponent(fresh.state)}`, other.cookie, /another browser/],
      ['the same state again (now spent)', `code=c2&state=${encodeURIComponent(fresh.state)}`, fresh.cookie, /expired or was already used/],
      ['no state', 'code=c3', other.cookie, /missing its state/],
      ['a made-up state', `code=c4&state=${'A'.repeat(32)}`, other.cookie, /expired or was already used/],
      ['a 10 KB state', `code=c5&state=${'A'.repeat(10_000)}`, other.cookie, /missing its state/],
    ];
    for (const [name, query, cookie, why] of cases) {
      const res = await callback('intercom', query, cookie);
      expect(res.status, name).toBe(400);
      expect(res.text, name).toMatch(why);
    }
    const expired = await begin('intercom');
    await t.ctx.db.execute(sql`update oauth_states set expires_at = now() - interval '1 second' where used_at is null`);
    const late = await callback('intercom', `code=c6&state=${encodeURIComponent(expired.state)}`, expired.cookie);
    expect(late.status).toBe(400);
    expect(late.text).toMatch(/expired or was already used/);
    expect(calls).toEqual([]);
  });
});

describe('a dump of the database', () => {
  it('holds no access token, refresh token, client secret, webhook secret, API key or session id in clear', async () => {
    const key = await createApiKey(t.ctx.db, t.account.id, 'dump check');
    const conns = await t.ctx.db.select().from(connections);
    const secrets: [string, string][] = [
      ['HubSpot client secret', hsApp.clientSecret],
      ['Intercom client secret', ic_.clientSecret],
      ['webhook endpoint secret', endpointSecret],
      ['API key', key.key],
      ['API key (test app)', t.account.apiKey],
    ];
    for (const c of conns) {
      if (c.accessTokenEnc) secrets.push([`${c.provider} ${c.externalId} access token`, decrypt(t.config.encryptionKey, c.accessTokenEnc)]);
      if (c.refreshTokenEnc) secrets.push([`${c.provider} ${c.externalId} refresh token`, decrypt(t.config.encryptionKey, c.refreshTokenEnc)]);
    }
    expect(secrets.filter(([n]) => /access token/.test(n)).length).toBeGreaterThanOrEqual(4);
    expect(secrets.filter(([n]) => /refresh token/.test(n)).length).toBeGreaterThanOrEqual(2);
    // A session and an OAuth round trip in flight too.
    const cookies = await signedInCookies(icHarness, t.account.id);
    secrets.push(['session id', cookies.get('rc_session')!]);

    // Every row of every table, every column as text — what pg_dump would write.
    const tables = await t.database.sql<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`;
    expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(['connections', 'webhook_endpoints', 'api_keys', 'sessions', 'oauth_states', 'webhook_inbox', 'job']));
    let dump = '';
    for (const { schema, name } of tables) {
      const rows = await t.database.sql.unsafe(`select t::text as row from "${schema}"."${name}" t`);
      for (const r of rows) dump += `${r.row}\n`;
    }
    expect(dump.length).toBeGreaterThan(10_000);
    for (const [name, secret] of secrets) {
      expect(secret.length, name).toBeGreaterThanOrEqual(16);
      // the whole secret, and any 16-character piece of it
      for (let i = 0; i + 16 <= secret.length; i += 8) expect(dump.includes(secret.slice(i, i + 16)), `${name} appears in the dump`).toBe(false);
    }
  });
});

describe('rate limits of the public routes', () => {
  it('the referral page: each address gets a budget of page views and of sign-ups, with Retry-After, and other addresses are unaffected', async () => {
    const code = (await t.api('GET', `/api/v1/participants/${a.referrerId}`)).body.code;
    const from = (ip: string) => ({ 'x-forwarded-for': `203.0.113.250, ${ip}` });
    // Enumerating codes: 120 page views a minute per address, then 429.
    let views = 0;
    for (let i = 0; i < 200; i++) {
      const res = await t.app.request(`/r/${i % 2 ? code : `nope${i}xyz`}`, { headers: from('198.51.100.7') });
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
      views++;
    }
    expect(views).toBe(120);
    expect((await t.app.request(`/r/${code}`, { headers: from('198.51.100.7') })).status).toBe(429);
    expect((await t.app.request(`/r/${code}`, { headers: from('198.51.100.8') })).status).toBe(200);
    // The client's own (leftmost) X-Forwarded-For entry changes nothing: the proxy's hop decides.
    expect((await t.app.request(`/r/${code}`, { headers: { 'x-forwarded-for': '10.9.8.7, 198.51.100.7' } })).status).toBe(429);

    let signups = 0;
    for (let i = 0; i < 40; i++) {
      const res = await t.app.request(`/r/${code}`, { method: 'POST', headers: { ...from('198.51.100.9'), 'content-type': 'application/x-www-form-urlencoded' }, body: `email=flood${i}%40x.test` });
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
      signups++;
    }
    expect(signups).toBe(30);
  });

  it('the REST API: 600 requests a minute per key, then 429 problem+json with Retry-After; other keys go on', async () => {
    const mine = await createApiKey(t.ctx.db, t.account.id, 'busy integration');
    const calm = await createApiKey(t.ctx.db, t.account.id, 'calm integration');
    const call = (key: string) => t.app.request('/api/v1/campaigns', { headers: { authorization: `Bearer ${key}` } });
    let ok = 0;
    let refused: Response | null = null;
    let refusedBody: any = null;
    for (let i = 0; i < API_RATE_LIMIT.max + 10 && !refused; i++) {
      const res = await call(mine.key);
      if (res.status === 200) ok++;
      else refused = res;
      const text = await res.text();
      if (refused) refusedBody = JSON.parse(text);
    }
    expect(ok).toBe(API_RATE_LIMIT.max);
    expect(refused!.status).toBe(429);
    expect(refused!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refusedBody).toMatchObject({ status: 429, code: 'rate_limited', detail: expect.stringMatching(/600 requests/) });
    // A POST over the limit does nothing.
    const blocked = await t.app.request('/api/v1/campaigns', { method: 'POST', headers: { authorization: `Bearer ${mine.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Should not exist' }) });
    expect(blocked.status).toBe(429);
    expect((await t.api('GET', '/api/v1/campaigns')).body.data.map((c: { name: string }) => c.name)).not.toContain('Should not exist');
    expect((await call(calm.key)).status).toBe(200);
  });

  it('the limiter opens again when the window ends', () => {
    const allow = fixedWindowLimiter({ windowMs: 60_000, max: 2 });
    expect([allow('k', 0), allow('k', 1), allow('k', 2)]).toEqual([true, true, false]);
    expect(allow.retryAfterMs('k', 20_000)).toBe(40_000);
    expect(allow('k', 60_000)).toBe(true);
  });
});
