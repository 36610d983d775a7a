import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { createHubspotEmulator, type HubspotEmulator } from '../emulators/hubspot/index.ts';
import { createIntercomEmulator, type IntercomEmulator } from '../emulators/intercom/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { signIn, type Admin } from '../admin/support.ts';
import { appScopes } from '../../server/hubspot/app-meta.ts';
import { connections, participants, webhookEndpoints, apiKeys } from '../../server/db/schema.ts';
import { hostileBodies, UNICODE } from './support/corpus.ts';
import { answerOf, expectCleanHtml, withinTime, type Answer, type Body } from './support/signed.ts';

// Hostile input against the public routes that are not signed by a platform: the referral page
// (`/r/:code`, GET and POST), both OAuth callbacks and install links, and every form of the
// console (signed in, with the right CSRF token, so each reaches its handler). No 5xx, no hang.

const PUBLIC_URL = 'http://refcard.test';
let t: TestApp;
let hs: HubspotEmulator;
let ic: IntercomEmulator;
let admin: Admin;
let code: string;
const ids = {} as { campaign: string; lead: string; connection: string; endpoint: string; key: string };
let address = 0;
/** A fresh client address per request (TRUST_PROXY): the per-address limits are not what is tested here. */
const from = () => ({ 'x-forwarded-for': `198.18.${Math.floor(++address / 250) % 250}.${address % 250}` });

beforeAll(async () => {
  hs = createHubspotEmulator();
  const hsBase = await hs.listen();
  const app = hs.registerApp({ name: 'Refcard', redirectUrls: [`${PUBLIC_URL}/oauth/hubspot/callback`], scopes: appScopes().required });
  ic = createIntercomEmulator();
  const icBase = await ic.listen();
  const icApp = { clientId: `refcard-${randomBytes(4).toString('hex')}`, clientSecret: randomBytes(24).toString('hex') };
  ic.registerApp({ ...icApp, name: 'Refcard', redirectUrls: [`${PUBLIC_URL}/oauth/intercom/callback`] });
  t = await startTestApp({
    workers: false,
    env: {
      PUBLIC_URL,
      TRUST_PROXY: 'true',
      HUBSPOT_CLIENT_ID: app.clientId,
      HUBSPOT_CLIENT_SECRET: app.clientSecret,
      HUBSPOT_APP_ID: String(app.appId),
      HUBSPOT_API_BASE: hsBase,
      HUBSPOT_AUTH_BASE: hsBase,
      INTERCOM_CLIENT_ID: icApp.clientId,
      INTERCOM_CLIENT_SECRET: icApp.clientSecret,
      INTERCOM_API_BASE: icBase,
      INTERCOM_AUTH_BASE: icBase,
    },
  });
  ids.campaign = (await t.api('POST', '/api/v1/campaigns', { name: 'Public', settings: { requireConsent: true } })).body.id;
  const ref = (await t.api('POST', '/api/v1/referrers', { campaign_id: ids.campaign, email: 'ref@public.test', first_name: 'Rae' })).body;
  code = ref.code;
  ids.lead = (await t.api('POST', '/api/v1/leads', { campaign_id: ids.campaign, email: 'lee@public.test', referral_code: code })).body.id;
  const [conn] = await t.ctx.db.insert(connections).values({ accountId: t.account.id, provider: 'hubspot', externalId: '31337', name: 'Portal' }).returning();
  ids.connection = conn!.id;
  ids.endpoint = (await t.api('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example/public' })).body.id;
  ids.key = (await t.ctx.db.select().from(apiKeys).where(eq(apiKeys.accountId, t.account.id)))[0]!.id;
  admin = await signIn(t, t.account.id);
}, 60_000);
afterAll(async () => {
  await hs?.close();
  await ic?.close();
  await t?.stop();
});

async function req(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<Answer> {
  return answerOf(await withinTime(`${method} ${path.slice(0, 80)}`, Promise.resolve(t.app.request(path, { method, body: body as BodyInit | undefined, headers: { ...from(), ...headers } }))));
}

/** Text a URL can carry (no unpaired surrogate), percent-encoded. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
const pathValues = () => [...UNICODE.map(enc), '%00', '%ZZ', '%ED%A0%80', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'x'.repeat(5000), code.toUpperCase(), `${code}%00`, `${code}/extra`];

describe('the referral page with hostile input', () => {
  it('GET /r/:code answers hostile codes with a page (404 for unknown), never a 5xx', async () => {
    for (const v of pathValues()) expectCleanHtml(await req('GET', `/r/${v}`), `GET /r/${v.slice(0, 30)}`);
    for (const q of ['?a=%00', `?${'x'.repeat(10_000)}=1`, '?email=%ED%A0%80']) expectCleanHtml(await req('GET', `/r/${code}${q}`), `GET /r/code${q.slice(0, 20)}`);
  });

  it('POST /r/:code answers every malformed, oversized, wrongly typed or unicode-heavy body without a 5xx, creating nobody from garbage', async () => {
    const before = (await t.ctx.db.select().from(participants)).length;
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      for (const { name, body } of hostileBodies()) {
        for (const accept of ['text/html', 'application/json']) {
          const a = await req('POST', `/r/${code}`, body, { 'content-type': type, accept });
          expectCleanHtml(a, `POST ${type} ${accept}: ${name}`);
          expect(a.status, `${type}: ${name}`).not.toBe(201);
        }
      }
    }
    const fields = { first_name: 'Fay', last_name: 'Friend', email: 'fay@public.test', consent: 'yes' };
    for (const field of Object.keys(fields)) {
      for (const v of [...UNICODE, '', ' ', 'a@b', '@', 'x@y.z'.repeat(100)] as const) {
        const json = await req('POST', `/r/${code}`, JSON.stringify({ ...fields, email: `v${address}@public.test`, [field]: v }), { 'content-type': 'application/json', accept: 'application/json' });
        expectCleanHtml(json, `POST json ${field}=${JSON.stringify(v).slice(0, 30)}`);
        if (json.status >= 400 && json.status !== 404) expect(json.json?.error, `${field}: a named refusal`).toEqual(expect.any(String));
        for (const wrong of [null, 1, true, [v], { v }]) {
          expectCleanHtml(await req('POST', `/r/${code}`, JSON.stringify({ ...fields, [field]: wrong }), { 'content-type': 'application/json', accept: 'application/json' }), `POST json ${field} wrong type`);
        }
      }
    }
    // a NUL or a lone surrogate in a form field is refused by name, not stored
    const nul = await req('POST', `/r/${code}`, 'email=nul%40public.test&first_name=a%00b&consent=yes', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    expect(nul.status).toBe(400);
    expect(nul.json.fields.first_name).toBeDefined();
    const created = (await t.ctx.db.select().from(participants)).length - before;
    // only well-formed sign-ups created anyone: each one a distinct, valid email
    const sane = await t.ctx.db.select({ email: participants.email }).from(participants);
    for (const p of sane) expect(p.email ?? '', 'stored email').not.toMatch(/[\u0000\ud800-\udfff]/);
    expect(created).toBeGreaterThanOrEqual(0);
  });
});

describe('the OAuth callbacks and install links with hostile input', () => {
  it('answer every hostile query with a page, never a 5xx, and a refused code with a 4xx', async () => {
    for (const provider of ['hubspot', 'intercom'] as const) {
      // A real state and browser, so the code itself is what gets refused.
      const start = await t.app.request(`/oauth/${provider}/install`, { headers: from() });
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const refused = await req('GET', `/oauth/${provider}/callback?code=made-up-code&state=${encodeURIComponent(state)}`, undefined, { cookie });
      expect(refused.status, `${provider}: a made-up code`).toBe(400);

      const queries = [
        '',
        'state=',
        'code=',
        'error=access_denied',
        `error=${enc(UNICODE[10]!)}&state=${'x'.repeat(300)}`,
        'state=a&state=b&code=c&code=d',
        ...pathValues().map((v) => `state=${v}&code=${v}`),
        `code=${'c'.repeat(10_000)}&state=${'s'.repeat(100)}`,
        '%00=%00',
        'state[]=1&code[a]=2',
      ];
      for (const q of queries) {
        expectCleanHtml(await req('GET', `/oauth/${provider}/callback?${q}`, undefined, { cookie }), `${provider} callback ?${q.slice(0, 40)}`);
        expectCleanHtml(await req('GET', `/oauth/${provider}/callback?${q}`, undefined, { cookie: `rc_oauth=${'z'.repeat(5000)}; rc_session=%00` }), `${provider} callback, odd cookies`);
        const install = await req('GET', `/oauth/${provider}/install?${q}&purpose=${enc(q.slice(0, 50))}&from=${enc(q.slice(0, 50))}`, undefined, { cookie: `rc_session=${'q'.repeat(300)}` });
        expect(install.status, `${provider} install ?${q.slice(0, 40)}`).toBeLessThan(500);
      }
      expectCleanHtml(await req('POST', `/oauth/${provider}/callback`, '{}', { 'content-type': 'application/json' }), `${provider} callback POST`);
    }
  });
});

describe('the console forms with hostile input', () => {
  const forms = () => [
    ['/admin/campaigns', { name: 'Spring', status: 'active', landing_url: 'https://x.test', hubspot_new_participants: 'create_or_update', intercom_new_participants: 'lead', r0_id: 'r', r0_name: '$5', r0_recipient: 'referrer', r0_trigger: 'per_qualified_lead', r0_amount: '5', r0_currency: 'usd' }],
    [`/admin/campaigns/${ids.campaign}`, { name: 'Renamed', status: 'paused', require_consent: 'on', r0_id: 'r', r0_name: '$5', r0_recipient: 'referrer', r0_trigger: 'threshold', r0_threshold: '3', r0_amount: '5', r0_currency: 'EUR' }],
    [`/admin/campaigns/${ids.campaign}/rules`, { kind: 'hubspot_contact_property', property: 'lifecyclestage', property_value: 'customer', stage: 'default::closedwon', tag: 'x', attribute: 'plan', attribute_value: 'Pro' }],
    [`/admin/campaigns/${ids.campaign}/rules/r-1/delete`, {}],
    [`/admin/campaigns/${ids.campaign}/mapping`, { provider: 'hubspot', connection: ids.connection, rows: '2', t_0: 'refcard_code', s_0: 'fixed', f_0: 'v', t_1: 'x', s_1: 'code', in_email: 'email', cu_key_0: 'k', cu_src_0: 'city' }],
    [`/admin/campaigns/${ids.campaign}/participants/bulk`, { action: 'qualify', ids: ids.lead, reason: 'drill' }],
    [`/admin/campaigns/${ids.campaign}/participants/${ids.lead}/status`, { action: 'unqualify', reason: 'drill' }],
    ['/admin/syncs', { campaign: ids.campaign, connection: ids.connection, source: 'list', list: '1', mode: 'once' }],
    ['/admin/syncs/00000000-0000-0000-0000-000000000000/mode', { mode: 'ongoing' }],
    ['/admin/api-keys', { name: 'Hostile key' }],
    [`/admin/api-keys/${ids.key}/revoke`, {}],
    ['/admin/webhooks', { url: 'https://hooks.example/x', description: 'd', events: 'lead.created' }],
    [`/admin/webhooks/${ids.endpoint}/deliveries/00000000-0000-0000-0000-000000000000/resend`, {}],
    [`/admin/integrations/${ids.connection}/disconnect`, {}],
  ] as [string, Record<string, string>][];

  it('answer every hostile field value with a page, never a 5xx', async () => {
    const values = [...UNICODE, '', ' ', '-1', '1e309', '99999999999999999999', 'NaN', '00000000-0000-0000-0000-000000000000', 'x'.repeat(100_000)];
    for (const [path, base] of forms()) {
      for (const field of Object.keys(base)) {
        for (const v of values) {
          const res = await admin.post(path, { ...base, [field]: v });
          expect(res.status, `${path} ${field}=${JSON.stringify(v).slice(0, 40)} → ${res.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`).toBeLessThan(500);
        }
        // the field twice, and a field the form does not have
        expect((await admin.post(path, { ...base, [field]: [base[field]!, 'second'] })).status, `${path} ${field} twice`).toBeLessThan(500);
      }
      expect((await admin.post(path, { ...base, ...Object.fromEntries([['unknown_field', 'x'], ['__proto__', 'y'], ['constructor', 'z']]) })).status, `${path} unknown fields`).toBeLessThan(500);
    }
  });

  it('answer hostile ids in the path with a 404 page, never a 5xx', async () => {
    for (const [path, base] of forms()) {
      if (!/[0-9a-f]{8}-/.test(path)) continue;
      for (const v of ['x', '%00', '%ED%A0%80', '00000000-0000-0000-0000-00000000000g', 'x'.repeat(2000), enc(UNICODE[0]!)]) {
        const bad = path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, v);
        const res = await admin.post(bad, base);
        expect(res.status, `${bad.slice(0, 80)}`).toBeLessThan(500);
        expect(res.status, `${bad.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('answer arbitrary form bodies with a page, never a 5xx (property)', async () => {
    const paths = forms().map(([p]) => p);
    const formBody = fc.dictionary(fc.oneof(fc.constantFrom('name', 'kind', 'ids', 'action', 'rows', 't_0', 's_0', 'f_0', 'url', 'events', 'mode', 'source', 'connection', 'campaign', 'status', 'r0_amount', 'r0_currency'), fc.string()), fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(ids.campaign, ids.lead, ids.connection)), { maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), formBody, async (path, fields) => {
        const res = await admin.post(path, fields);
        expect(res.status, `${path} ${JSON.stringify(fields).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    // …and nothing stored carries what PostgreSQL would have refused anyway
    for (const e of await t.ctx.db.select().from(webhookEndpoints)) expect(e.description ?? '').not.toContain('\u0000');
  });
});
