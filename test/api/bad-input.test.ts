import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createAccount, createApiKey, revokeApiKey } from '../../server/program/accounts.ts';

// Every REST route refuses bad input with a 4xx problem+json that names the field and gives the
// reason, and a refusal writes nothing.

let t: TestApp;
let otherKey: string;
let revokedKey: string;
const ids = {} as {
  campaign: string;
  otherCampaign: string;
  referrer: string;
  referrerCode: string;
  lead: string;
  endpoint: string;
};

type Res = Awaited<ReturnType<TestApp['api']>>;

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  const c = await t.api('POST', '/api/v1/campaigns', { name: 'Friends of Acme', reward_rules: [{ id: 'bounty', name: '$50', recipient: 'referrer', amountCents: 5000, currency: 'USD' }] });
  ids.campaign = c.body.id;
  const r = await t.api('POST', '/api/v1/referrers', { campaign_id: ids.campaign, email: 'ann@example.com', first_name: 'Ann' });
  ids.referrer = r.body.id;
  ids.referrerCode = r.body.code;
  const l = await t.api('POST', '/api/v1/leads', { campaign_id: ids.campaign, email: 'bob@example.com', referral_code: ids.referrerCode });
  ids.lead = l.body.id;
  const ep = await t.api('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example/refcard' });
  ids.endpoint = ep.body.id;
  expect([c.status, r.status, l.status, ep.status]).toEqual([201, 201, 201, 201]);

  const other = await createAccount(t.ctx.db, 'Other Co');
  otherKey = (await createApiKey(t.ctx.db, other.id, 'other key')).key;
  const oc = await t.api('POST', '/api/v1/campaigns', { name: 'Other campaign' }, { authorization: `Bearer ${otherKey}` });
  ids.otherCampaign = oc.body.id;

  const revoked = await createApiKey(t.ctx.db, t.account.id, 'old key');
  await t.ctx.db.transaction((tx) => revokeApiKey(tx, t.account.id, revoked.id));
  revokedKey = revoked.key;
});
afterAll(() => t?.stop());

/** Every row count plus a digest of the rows a refusal could touch: any write changes it. */
async function fingerprint() {
  const [row] = await t.database.sql`
    select
      (select count(*) from campaigns) as campaigns,
      (select md5(coalesce(string_agg(c::text, '|' order by id), '')) from campaigns c) as campaigns_digest,
      (select count(*) from participants) as participants,
      (select md5(coalesce(string_agg(p::text, '|' order by id), '')) from participants p) as participants_digest,
      (select md5(coalesce(string_agg(r::text, '|' order by id), '')) from rewards r) as rewards_digest,
      (select md5(coalesce(string_agg(w::text, '|' order by id), '')) from webhook_endpoints w) as endpoints_digest,
      (select count(*) from audit_events) as audit_events,
      (select count(*) from outbound_events) as outbound_events,
      (select count(*) from webhook_deliveries) as webhook_deliveries,
      (select count(*) from idempotency_keys) as idempotency_keys`;
  return row;
}

function expectProblem(res: Res, status: number, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^urn:refcard:problem:[a-z_]+$/), title: expect.any(String), code: expect.any(String), detail: expect.any(String) });
  expect(res.body.detail.length).toBeGreaterThan(5);
  if (field !== undefined) expect(res.body.field).toBe(field);
}

/** Runs `call`, expects a refusal naming `field`, and checks the database is exactly as before. */
async function refused(call: () => Promise<Res>, status: number, field?: string, detail?: RegExp): Promise<Res> {
  const before = await fingerprint();
  const res = await call();
  expectProblem(res, status, field);
  if (detail) expect(res.body.detail).toMatch(detail);
  expect(await fingerprint()).toEqual(before);
  return res;
}

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: () => string;
  /** a body the route accepts */
  body?: () => Record<string, unknown>;
  /** body fields whose absence is refused */
  required?: string[];
  /** the path parameter, when the path carries an id */
  idParam?: (id: string) => string;
  /** a free-text body field */
  text?: string;
}

const routes: Route[] = [
  { name: 'GET /campaigns', method: 'GET', path: () => '/api/v1/campaigns' },
  { name: 'POST /campaigns', method: 'POST', path: () => '/api/v1/campaigns', body: () => ({ name: 'Spring push' }), required: ['name'], text: 'name' },
  { name: 'GET /campaigns/:id', method: 'GET', path: () => `/api/v1/campaigns/${ids.campaign}`, idParam: (id) => `/api/v1/campaigns/${id}` },
  { name: 'PATCH /campaigns/:id', method: 'PATCH', path: () => `/api/v1/campaigns/${ids.campaign}`, body: () => ({ name: 'Renamed' }), idParam: (id) => `/api/v1/campaigns/${id}`, text: 'name' },
  { name: 'GET /campaigns/:id/stats', method: 'GET', path: () => `/api/v1/campaigns/${ids.campaign}/stats`, idParam: (id) => `/api/v1/campaigns/${id}/stats` },
  { name: 'POST /referrers', method: 'POST', path: () => '/api/v1/referrers', body: () => ({ campaign_id: ids.campaign, email: 'carol@example.com', first_name: 'Carol' }), required: ['campaign_id', 'email'], text: 'first_name' },
  {
    name: 'POST /leads',
    method: 'POST',
    path: () => '/api/v1/leads',
    body: () => ({ campaign_id: ids.campaign, email: 'dave@example.com', referral_code: ids.referrerCode }),
    required: ['campaign_id', 'email', 'referral_code'],
    text: 'last_name',
  },
  { name: 'GET /participants/:key', method: 'GET', path: () => `/api/v1/participants/${ids.referrer}` },
  { name: 'GET /participants', method: 'GET', path: () => `/api/v1/participants?campaign_id=${ids.campaign}` },
  { name: 'PATCH /participants/:id', method: 'PATCH', path: () => `/api/v1/participants/${ids.referrer}`, body: () => ({ first_name: 'Annie' }), idParam: (id) => `/api/v1/participants/${id}`, text: 'first_name' },
  { name: 'DELETE /participants/:id', method: 'DELETE', path: () => `/api/v1/participants/${ids.lead}`, idParam: (id) => `/api/v1/participants/${id}` },
  { name: 'POST /leads/qualify', method: 'POST', path: () => '/api/v1/leads/qualify', body: () => ({ campaign_id: ids.campaign, id: ids.lead, reason: 'paid' }), required: ['campaign_id'], text: 'reason' },
  { name: 'POST /leads/unqualify', method: 'POST', path: () => '/api/v1/leads/unqualify', body: () => ({ campaign_id: ids.campaign, id: ids.lead }), required: ['campaign_id'], text: 'reason' },
  { name: 'GET /webhook-endpoints', method: 'GET', path: () => '/api/v1/webhook-endpoints' },
  { name: 'POST /webhook-endpoints', method: 'POST', path: () => '/api/v1/webhook-endpoints', body: () => ({ url: 'https://hooks.example/new', events: ['lead.created'] }), required: ['url'], text: 'description' },
  { name: 'DELETE /webhook-endpoints/:id', method: 'DELETE', path: () => `/api/v1/webhook-endpoints/${ids.endpoint}`, idParam: (id) => `/api/v1/webhook-endpoints/${id}` },
];
const bodyRoutes = routes.filter((r) => r.body);
const idRoutes = routes.filter((r) => r.idParam);

const send = (r: Route, body?: unknown, headers: Record<string, string> = {}) => t.api(r.method, r.path(), body ?? r.body?.(), headers);

describe('authentication on every route', () => {
  it.each(routes.map((r) => [r.name, r]))('%s refuses a missing, malformed, unknown or revoked API key with 401', async (_, r) => {
    const variants: [Record<string, string>, string][] = [
      [{ authorization: '' }, 'missing_api_key'],
      [{ authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }, 'missing_api_key'],
      [{ authorization: 'Bearer' }, 'missing_api_key'],
      [{ authorization: `Bearer ${t.account.apiKey} extra` }, 'missing_api_key'],
      [{ authorization: 'Bearer rk_live_thisKeyWasNeverIssued000000000' }, 'invalid_api_key'],
      [{ authorization: 'Bearer sk_test_someone_elses_format' }, 'invalid_api_key'],
      [{ authorization: `Bearer ${t.account.apiKey.slice(0, -1)}` }, 'invalid_api_key'],
      [{ authorization: `Bearer ${revokedKey}` }, 'invalid_api_key'],
    ];
    for (const [headers, code] of variants) {
      const res = await refused(() => send(r, undefined, headers), 401, 'authorization');
      expect(res.body.code).toBe(code);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="refcard"/);
    }
  });

  it('accepts the scheme name in any case, as RFC 9110 allows', async () => {
    expect((await t.api('GET', '/api/v1/campaigns', undefined, { authorization: `bearer ${t.account.apiKey}` })).status).toBe(200);
  });
});

describe('bodies that are not a JSON object', () => {
  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses malformed JSON, an empty body and non-object JSON, naming the body', async (_, r) => {
    for (const raw of ['{"name": "x",', '{name: "x"}', "{'a':1}", 'not json', '{"a":1}}', '']) {
      await refused(() => send(r, raw), 400, 'body', /JSON/);
    }
    for (const value of [[], [r.body!()], 'a string', 42, true, null]) {
      await refused(() => send(r, JSON.stringify(value)), 400, 'body', /expected object/);
    }
  });

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses a body that is not declared as JSON with 415', async (_, r) => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
      await refused(() => send(r, JSON.stringify(r.body!()), { 'content-type': type }), 415, 'content-type', /application\/json/);
    }
    const before = await fingerprint();
    const res = await t.app.request(r.path(), { method: r.method, headers: { authorization: `Bearer ${t.account.apiKey}` }, body: JSON.stringify(r.body!()) });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await fingerprint()).toEqual(before);
  });

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s accepts JSON declared with a charset or a +json type', async (_, r) => {
    const res = await send(r, JSON.stringify({ ...r.body!(), surprise: 1 }), { 'content-type': 'application/json; charset=utf-8' });
    // reaches validation (400 for the unknown field), not the media-type check
    expectProblem(res, 400, 'surprise');
    const res2 = await send(r, JSON.stringify({ ...r.body!(), surprise: 1 }), { 'content-type': 'application/merge-patch+json' });
    expectProblem(res2, 400, 'surprise');
  });

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses a body over 256 KB with 413', async (_, r) => {
    const big = JSON.stringify({ ...r.body!(), padding: 'x'.repeat(256 * 1024) });
    await refused(() => send(r, big), 413, 'body', /256 KB/);
  });

  it('accepts a body just under the limit as far as validation', async () => {
    const body = JSON.stringify({ name: 'x', padding: 'y'.repeat(250 * 1024) });
    const res = await refused(() => t.api('POST', '/api/v1/campaigns', body), 400, 'padding');
    expect(res.body.detail).toBe('padding: is not a known field');
  });
});

describe('fields', () => {
  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses an unknown field, naming it', async (_, r) => {
    const res = await refused(() => send(r, { ...r.body!(), favourite_colour: 'blue' }), 400, 'favourite_colour');
    expect(res.body.detail).toBe('favourite_colour: is not a known field');
    expect(res.body.errors).toContainEqual({ field: 'favourite_colour', reason: 'is not a known field' });
  });

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses each field given the wrong type, naming it', async (_, r) => {
    for (const field of Object.keys(r.body!())) {
      for (const wrong of [12345, { nested: true }, [1, 2]]) {
        const res = await refused(() => send(r, { ...r.body!(), [field]: wrong }), 400);
        // a list names the bad element (events.0), anything else the field itself
        expect(res.body.field, `${field} = ${JSON.stringify(wrong)}`).toMatch(new RegExp(`^${field}(\\.\\d+)?$`));
        expect(res.body.detail).toMatch(new RegExp(`^${field}(\\.\\d+)?: .+`));
      }
    }
  });

  it.each(bodyRoutes.filter((r) => r.required?.length).map((r) => [r.name, r]))('%s refuses a missing required field with "is required"', async (_, r) => {
    for (const field of r.required!) {
      const body = r.body!();
      delete body[field];
      const res = await refused(() => send(r, body), 400, field);
      expect(res.body.detail).toBe(`${field}: is required`);
    }
  });

  it.each(['/api/v1/leads/qualify', '/api/v1/leads/unqualify'])('%s needs exactly one of id, email or referral_code', async (path) => {
    for (const body of [
      { campaign_id: ids.campaign },
      { campaign_id: ids.campaign, id: ids.lead, email: 'bob@example.com' },
      { campaign_id: ids.campaign, email: 'bob@example.com', referral_code: ids.referrerCode },
    ]) {
      const res = await refused(() => t.api('POST', path, body), 400, 'id');
      expect(res.body.detail).toBe('id: give exactly one of id, email or referral_code');
    }
  });

  it.each([
    ['POST /referrers', '/api/v1/referrers', () => ({ campaign_id: ids.campaign })],
    ['POST /leads', '/api/v1/leads', () => ({ campaign_id: ids.campaign, referral_code: ids.referrerCode })],
    ['POST /leads/qualify', '/api/v1/leads/qualify', () => ({ campaign_id: ids.campaign })],
  ])('%s refuses invalid emails, naming the email field', async (_, path, base) => {
    for (const email of ['', 'ann', 'ann@', '@example.com', 'ann@localhost', 'ann@@example.com', 'ann lee@example.com', `${'a'.repeat(250)}@example.com`]) {
      const res = await refused(() => t.api('POST', path, { ...base(), email }), 400, 'email');
      expect(res.body.detail).toMatch(/^email: must be (a valid email address|at most 254 characters)$/);
    }
  });

  it.each([
    ['POST /referrers', '/api/v1/referrers', () => ({ email: 'x@example.com' }), 'campaign_id'],
    ['POST /leads', '/api/v1/leads', () => ({ email: 'x@example.com', referral_code: ids.referrerCode }), 'campaign_id'],
    ['POST /leads/qualify', '/api/v1/leads/qualify', () => ({ id: ids.lead }), 'campaign_id'],
    ['POST /leads/unqualify', '/api/v1/leads/unqualify', () => ({ campaign_id: ids.campaign }), 'id'],
  ])('%s refuses a malformed UUID in %s', async (_, path, base, field) => {
    for (const bad of ['not-a-uuid', '123', `${ids.campaign}0`, ids.campaign.replace(/-/g, ''), `{${ids.campaign}}`, ' ']) {
      const res = await refused(() => t.api('POST', path, { campaign_id: ids.campaign, ...base(), [field]: bad }), 400, field);
      expect(res.body.detail).toBe(`${field}: must be a UUID`);
    }
  });

  it('POST /campaigns names the nested field of a bad reward or qualification rule', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ reward_rules: [{ id: 'm', name: 'M', recipient: 'referrer', trigger: 'milestone', amountCents: 1, currency: 'USD' }] }, 'reward_rules.0.threshold', /needs a threshold/],
      [{ reward_rules: [{ id: 'ok', name: 'ok', recipient: 'lead', amountCents: 1, currency: 'USD' }, { id: 'x', name: 'x', recipient: 'lead', amountCents: 1, currency: 'dollars' }] }, 'reward_rules.1.currency', /ISO 4217/],
      [{ qualification_rules: [{ id: 'q', kind: 'hubspot_deal_stage', pipelineId: 'default' }] }, 'qualification_rules.0.stageId', /required/],
      [{ settings: { requireConsent: 'no' } }, 'settings.requireConsent', /boolean/],
      [{ landing_url: 'ftp://acme.example/join' }, 'landing_url', /http\(s\) URL/],
      [{ landing_url: 'javascript:alert(1)' }, 'landing_url', /http\(s\) URL/],
      [{ landing_url: `https://acme.example/${'a'.repeat(2000)}` }, 'landing_url', /<=2000/],
      [{ status: 'deleted' }, 'status', /.+/],
      [{ name: '   ' }, 'name', /is required/],
      [{ name: 'x'.repeat(121) }, 'name', /120/],
      [{ reward_rules: Array.from({ length: 21 }, (_, i) => ({ id: `r${i}`, name: 'r', recipient: 'lead', amountCents: 1, currency: 'USD' })) }, 'reward_rules', /20/],
    ];
    for (const [extra, field, reason] of cases) {
      const res = await refused(() => t.api('POST', '/api/v1/campaigns', { name: 'Rules', ...(extra as object) }), 400, field);
      expect(res.body.detail).toMatch(reason);
    }
  });

  it('POST /referrers and PATCH /participants/:id refuse bad names and custom fields, naming them', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ first_name: 'x'.repeat(101) }, 'first_name'],
      [{ custom_fields: { 'Bad Key': 1 } }, 'custom_fields.Bad Key'],
      [{ custom_fields: { plan: { nested: 1 } } }, 'custom_fields.plan'],
      [{ custom_fields: { note: 'x'.repeat(1001) } }, 'custom_fields.note'],
      [{ custom_fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, i])) }, 'custom_fields'],
    ];
    for (const [extra, field] of cases) {
      await refused(() => t.api('POST', '/api/v1/referrers', { campaign_id: ids.campaign, email: 'erin@example.com', ...extra }), 400, field);
      await refused(() => t.api('PATCH', `/api/v1/participants/${ids.referrer}`, extra), 400, field);
    }
  });

  it('POST /webhook-endpoints refuses non-http URLs and unknown event types', async () => {
    for (const url of ['hooks.example/x', 'ftp://hooks.example/x', 'file:///etc/passwd', 'javascript:alert(1)', '']) {
      await refused(() => t.api('POST', '/api/v1/webhook-endpoints', { url }), 400, 'url', /http\(s\) URL/);
    }
    await refused(() => t.api('POST', '/api/v1/webhook-endpoints', { url: `https://hooks.example/${'a'.repeat(2000)}` }), 400, 'url', /<=2000/);
    await refused(() => t.api('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example/x', events: ['lead.deleted'] }), 400, 'events.0');
  });

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s refuses text PostgreSQL cannot store (NUL, unpaired surrogates), naming the field', async (_, r) => {
    const field = r.text!;
    for (const bad of ['a\u0000b', '\ud800', 'x\udc00y', '\udbff']) {
      const res = await refused(() => send(r, { ...r.body!(), [field]: bad }), 400, field);
      expect(res.body.detail).toMatch(/NUL characters or unpaired UTF-16 surrogates/);
    }
    // an unknown key made of such text is named too, without echoing the raw character
    const res = await refused(() => send(r, { ...r.body!(), ['k\u0000']: 1 }), 400, 'k\ufffd');
    expect(res.body.field).not.toContain('\u0000');
  });

  it('keeps well-formed astral characters such as emoji in names', async () => {
    const res = await t.api('PATCH', `/api/v1/participants/${ids.referrer}`, { last_name: 'Lee 🎉𝄞' });
    expect(res.status).toBe(200);
    expect(res.body.last_name).toBe('Lee 🎉𝄞');
  });

  it('refuses NUL in custom fields, rule fields, reasons and referral codes, naming the nested field', async () => {
    await refused(() => t.api('POST', '/api/v1/referrers', { campaign_id: ids.campaign, email: 'nul@example.com', custom_fields: { note: 'a\u0000' } }), 400, 'custom_fields.note');
    await refused(
      () => t.api('POST', '/api/v1/campaigns', { name: 'N', qualification_rules: [{ id: 'q', kind: 'intercom_attribute', attribute: 'plan', value: '\ud83d' }] }),
      400,
      'qualification_rules.0.value',
    );
    await refused(() => t.api('POST', '/api/v1/leads/qualify', { campaign_id: ids.campaign, id: ids.lead, reason: 'paid\u0000' }), 400, 'reason');
    await refused(() => t.api('POST', '/api/v1/leads', { campaign_id: ids.campaign, email: 'f@example.com', referral_code: 'abc\u0000' }), 400, 'referral_code');
    await refused(() => t.api('POST', '/api/v1/campaigns', { name: 'N', landing_url: 'https://acme.example/\u0000' }), 400, 'landing_url');
  });
});

describe('ids in the path and the query', () => {
  it.each(idRoutes.map((r) => [r.name, r]))('%s refuses a malformed id with 400 naming id, and an unknown one with 404', async (_, r) => {
    const body = r.body?.();
    for (const bad of ['nope', '123', 'not-a-uuid-at-all-0000000000000000', encodeURIComponent("1' or '1'='1")]) {
      const res = await refused(() => t.api(r.method, r.idParam!(bad), body), 400, 'id');
      expect(res.body.detail).toBe('id: must be a UUID');
    }
    await refused(() => t.api(r.method, r.idParam!('00000000-0000-4000-8000-000000000000'), body), 404, 'id', /not found/);
  });

  it('GET /participants/:key refuses keys that are neither an id, an email nor a code', async () => {
    for (const key of ['hello', 'ABC', 'abcdefghj0', encodeURIComponent('<script>')]) {
      await refused(() => t.api('GET', `/api/v1/participants/${key}`), 400, 'id', /participant id, an email or a referral code/);
    }
    await refused(() => t.api('GET', `/api/v1/participants/${'a'.repeat(255)}`), 400, 'key');
  });

  it('GET /participants/:key needs campaign_id to look someone up by email, and refuses a malformed one', async () => {
    await refused(() => t.api('GET', '/api/v1/participants/ann@example.com'), 400, 'campaign_id', /needs campaign_id/);
    await refused(() => t.api('GET', '/api/v1/participants/ann@example.com?campaign_id=nope'), 400, 'campaign_id', /must be a UUID/);
  });

  it('GET /participants/:key answers 404 for an unknown id, code or email', async () => {
    await refused(() => t.api('GET', '/api/v1/participants/00000000-0000-4000-8000-000000000000'), 404, 'id');
    await refused(() => t.api('GET', '/api/v1/participants/zzzzzzzzzz'), 404, 'id');
    await refused(() => t.api('GET', `/api/v1/participants/nobody@example.com?campaign_id=${ids.campaign}`), 404, 'id');
    await refused(() => t.api('GET', `/api/v1/participants/${ids.referrer}?campaign_id=${ids.otherCampaign}`), 404, 'id');
  });

  it('GET /participants refuses bad query parameters, naming each', async () => {
    const c = `campaign_id=${ids.campaign}`;
    const cases: [string, string, RegExp][] = [
      ['', 'campaign_id', /is required/],
      ['campaign_id=nope', 'campaign_id', /must be a UUID/],
      [`${c}&status=deleted`, 'status', /.+/],
      [`${c}&limit=abc`, 'limit', /must be a number/],
      [`${c}&limit=0`, 'limit', />=1/],
      [`${c}&limit=201`, 'limit', /<=200/],
      [`${c}&limit=2.5`, 'limit', /whole number/],
      [`${c}&search=`, 'search', /.+/],
      [`${c}&search=${'s'.repeat(201)}`, 'search', /.+/],
      [`${c}&cursor=garbage`, 'cursor', /not one this API returned/],
      [`${c}&cursor=${Buffer.from('["not a date","x"]').toString('base64url')}`, 'cursor', /not one this API returned/],
      [`${c}&search=a%00b`, 'search', /NUL/],
    ];
    for (const [query, field, reason] of cases) {
      const res = await refused(() => t.api('GET', `/api/v1/participants?${query}`), 400, field);
      expect(res.body.detail, query).toMatch(reason);
    }
    await refused(() => t.api('GET', '/api/v1/participants?campaign_id=00000000-0000-4000-8000-000000000000'), 404, 'campaign_id');
  });

  it('refuses a NUL character in the path with 400 rather than failing the query', async () => {
    await refused(() => t.api('GET', `/api/v1/participants/a%00@example.com?campaign_id=${ids.campaign}`), 400, 'path', /NUL/);
  });

  it('treats search text as text: LIKE wildcards and quotes find nothing they should not', async () => {
    for (const search of ['%', '_', "'", '\\']) {
      const res = await t.api('GET', `/api/v1/participants?campaign_id=${ids.campaign}&search=${encodeURIComponent(search)}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    }
  });
});

describe("another account's data", () => {
  const as = { authorization: '' };
  beforeAll(() => {
    as.authorization = `Bearer ${otherKey}`;
  });

  it('is invisible: every route answers 404 for ids that belong to someone else, and nothing of theirs changes', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', `/api/v1/campaigns/${ids.campaign}`, undefined, 'id'],
      ['PATCH', `/api/v1/campaigns/${ids.campaign}`, { name: 'Hijacked', status: 'paused' }, 'id'],
      ['GET', `/api/v1/campaigns/${ids.campaign}/stats`, undefined, 'id'],
      ['POST', '/api/v1/referrers', { campaign_id: ids.campaign, email: 'mallory@example.com' }, 'campaign_id'],
      ['POST', '/api/v1/leads', { campaign_id: ids.campaign, email: 'mallory@example.com', referral_code: ids.referrerCode }, 'campaign_id'],
      ['GET', `/api/v1/participants/${ids.referrer}`, undefined, 'id'],
      ['GET', `/api/v1/participants/${ids.referrerCode}`, undefined, 'id'],
      ['GET', `/api/v1/participants/ann@example.com?campaign_id=${ids.campaign}`, undefined, 'id'],
      ['GET', `/api/v1/participants?campaign_id=${ids.campaign}`, undefined, 'campaign_id'],
      ['PATCH', `/api/v1/participants/${ids.referrer}`, { first_name: 'Hijacked' }, 'id'],
      ['DELETE', `/api/v1/participants/${ids.referrer}`, undefined, 'id'],
      ['POST', '/api/v1/leads/qualify', { campaign_id: ids.campaign, id: ids.lead }, 'id'],
      ['POST', '/api/v1/leads/unqualify', { campaign_id: ids.campaign, email: 'bob@example.com' }, 'id'],
      ['POST', '/api/v1/leads/qualify', { campaign_id: ids.otherCampaign, referral_code: ids.referrerCode }, 'id'],
      ['DELETE', `/api/v1/webhook-endpoints/${ids.endpoint}`, undefined, 'id'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await refused(() => t.api(method, path, body, as), 404, field);
      expect(JSON.stringify(res.body), `${method} ${path}`).not.toContain('ann@example.com');
    }
  });

  it("cannot use someone else's referral code in its own campaign", async () => {
    await refused(
      () => t.api('POST', '/api/v1/leads', { campaign_id: ids.otherCampaign, email: 'mallory@example.com', referral_code: ids.referrerCode }, as),
      422,
      'referral_code',
      /does not exist/,
    );
  });

  it("does not list someone else's campaigns or webhook endpoints", async () => {
    const campaigns = await t.api('GET', '/api/v1/campaigns', undefined, as);
    expect(campaigns.body.data.map((c: { id: string }) => c.id)).toEqual([ids.otherCampaign]);
    const endpoints = await t.api('GET', '/api/v1/webhook-endpoints', undefined, as);
    expect(endpoints.body.data).toEqual([]);
  });
});

describe('routes that do not exist', () => {
  it.each([
    ['GET', '/api/v1/nope'],
    ['GET', '/api/v1/'],
    ['POST', '/api/v1/campaign'],
    ['GET', '/api/v1/campaigns/00000000-0000-4000-8000-000000000000/participants'],
    ['GET', '/api/v2/campaigns'],
  ])('%s %s answers 404 problem+json', async (method, path) => {
    await refused(() => t.api(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}), 404);
  });

  it.each([
    ['PUT', '/api/v1/campaigns/00000000-0000-4000-8000-000000000000', 'GET, HEAD, PATCH'],
    ['DELETE', '/api/v1/campaigns/00000000-0000-4000-8000-000000000000', 'GET, HEAD, PATCH'],
    ['GET', '/api/v1/leads', 'POST'],
    ['PUT', '/hubspot/card', 'GET, HEAD'],
    ['GET', '/hubspot/webhooks', 'POST'],
    ['DELETE', '/r/abcdefghij', 'GET, HEAD, POST'],
  ])('%s %s answers 405 problem+json saying which methods it takes', async (method, path, allow) => {
    const res = await refused(() => t.api(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}), 405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.body).toMatchObject({ code: 'method_not_allowed', allow: allow.split(', ') });
  });

  it('asks for the API key before saying whether a route exists', async () => {
    const res = await t.app.request('/api/v1/nope');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('arbitrary input (property)', () => {
  // Any code point, with the characters that break storage or markup made common enough to matter.
  const unit = fc.oneof(
    { arbitrary: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u2028', '\ufeff', '<', '"', "'", '\\', '%', '_', '🎉'), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  );
  const nasty = fc.string({ unit, maxLength: 12 });
  const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2, stringUnit: unit }), nasty);
  const anythingJson = fc
    .anything({ maxDepth: 2, withNullPrototype: true, withBoxedValues: true, withSparseArray: true, stringUnit: unit, key: fc.oneof(fc.string({ unit }), fc.constantFrom('__proto__', 'constructor', 'toString')) })
    .map((v) => JSON.stringify(v) ?? '');

  /** bodies for a route: wholly arbitrary JSON, objects keyed by its own fields, and a valid body with one field swapped */
  const bodiesFor = (r: Route) => {
    const fields = [...Object.keys(r.body!()), 'first_name', 'last_name', 'custom_fields', 'reason', 'email', '__proto__'];
    return fc.oneof(
      { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 1 },
      { arbitrary: anythingJson, weight: 1 },
      { arbitrary: fc.dictionary(fc.constantFrom(...fields), jsonish, { maxKeys: 5 }).map((v) => JSON.stringify(v)), weight: 1 },
      { arbitrary: fc.tuple(fc.constantFrom(...fields), jsonish).map(([k, v]) => JSON.stringify({ ...r.body!(), [k]: v })), weight: 2 },
      { arbitrary: fc.tuple(fc.constantFrom(...fields), nasty).map(([k, v]) => JSON.stringify({ ...r.body!(), [k]: v })), weight: 3 },
      { arbitrary: fc.tuple(nasty, nasty).map(([key, v]) => JSON.stringify({ ...r.body!(), custom_fields: { [key]: v } })), weight: 1 },
      { arbitrary: fc.string({ unit, maxLength: 40 }), weight: 1 },
    );
  };

  it.each(bodyRoutes.map((r) => [r.name, r]))('%s never answers 5xx, and every 4xx is problem+json with a reason', async (_, r) => {
    await fc.assert(
      fc.asyncProperty(bodiesFor(r), async (raw) => {
        const res = await t.api(r.method, r.path(), raw);
        expect(res.status, `${raw} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(typeof res.body.detail).toBe('string');
          expect(res.body.status).toBe(res.status);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('query strings and path keys of arbitrary bytes never give 5xx on the read routes', async () => {
    // Percent-encoded raw bytes: NUL, invalid UTF-8 (%ED%A0%80, %FF) and ordinary text alike.
    const pct = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 16 }), nasty.map((s) => new Uint8Array(Buffer.from(s, 'utf8'))));
    await fc.assert(
      fc.asyncProperty(bytes, bytes, async (key, search) => {
        const list = await t.api('GET', `/api/v1/participants?campaign_id=${ids.campaign}&search=${pct(search)}&cursor=${pct(key)}`);
        expect(list.status).toBeLessThan(500);
        const one = await t.api('GET', `/api/v1/participants/${pct(key) || 'x'}?campaign_id=${ids.campaign}`);
        expect(one.status).toBeLessThan(500);
        const emailish = await t.api('GET', `/api/v1/participants/${pct(key)}%40example.com?campaign_id=${ids.campaign}`);
        expect(emailish.status).toBeLessThan(500);
        for (const res of [list, one, emailish]) if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 60 },
    );
  });
});
