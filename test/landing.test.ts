import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

// The page a referred friend lands on: GET /r/:code shows the form, POST /r/:code signs them up.

let t: TestApp;
let campaignId: string;
let ann: { id: string; code: string };
let ipCounter = 0;

beforeAll(async () => {
  // Behind a proxy, as in production: the proxy's X-Forwarded-For hop identifies the client.
  t = await startTestApp({ workers: false, env: { TRUST_PROXY: 'true' } });
  const c = await t.api('POST', '/api/v1/campaigns', { name: 'Acme Friends' });
  campaignId = c.body.id;
  const r = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee' });
  ann = { id: r.body.id, code: r.body.code };
});
afterAll(() => t?.stop());

/** Each call comes from its own client address, so the per-IP limiter only counts where a test wants it to. */
const freshIp = () => `203.0.113.${++ipCounter % 250}, 10.0.0.1`;

async function get(path: string) {
  const res = await t.app.request(path, { headers: { 'x-forwarded-for': freshIp() } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text() };
}

async function post(code: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await t.app.request(`/r/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': freshIp(), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text() };
}

async function postJson(code: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.request(`/r/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': freshIp(), ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
}

const participantByEmail = (email: string) => t.api('GET', `/api/v1/participants/${encodeURIComponent(email)}?campaign_id=${campaignId}`);
const participantCount = async () => (await t.database.sql`select count(*)::int as n from participants`)[0]!.n as number;

/** `<input ...>` tags by id, with their attributes. */
function inputs(html: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const m of html.matchAll(/<input\b([^>]*)>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = a[2] ?? '';
    if (attrs.id) out.set(attrs.id, attrs);
  }
  return out;
}

describe('GET /r/:code', () => {
  it('serves a form naming the referrer and the campaign', async () => {
    const page = await get(`/r/${ann.code}`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toMatch(/<h1>Ann Lee invited you to Acme Friends<\/h1>/);
    expect(page.html).toContain('<title>Join Acme Friends</title>');
    expect(page.html).toContain(`<form method="post" action="/r/${ann.code}"`);
  });

  it('is accessible: a language, a mobile viewport, and a label bound to every input', async () => {
    const { html } = await get(`/r/${ann.code}`);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    const fields = inputs(html);
    expect([...fields.keys()].sort()).toEqual(['consent', 'email', 'first_name', 'last_name']);
    for (const id of fields.keys()) expect(html, `label for ${id}`).toMatch(new RegExp(`<label for="${id}">[^<]+`));
    expect(fields.get('email')).toMatchObject({ type: 'email', required: '', autocomplete: 'email' });
    expect(fields.get('first_name')).toMatchObject({ autocomplete: 'given-name' });
    expect(fields.get('consent')).toMatchObject({ type: 'checkbox' });
    expect(html).toMatch(/<button type="submit">Sign up<\/button>/);
    expect(html).not.toMatch(/<script/i);
  });

  it('works with the code in capitals, as people retype links', async () => {
    const page = await get(`/r/${ann.code.toUpperCase()}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Ann Lee invited you');
  });

  it('calls a referrer without a name "A friend"', async () => {
    const r = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'noname@example.com' });
    expect((await get(`/r/${r.body.code}`)).html).toContain('<h1>A friend invited you to Acme Friends</h1>');
  });

  it.each([
    ['an unknown but well-formed code', 'zzzzzzzzzz'],
    ['a too-short code', 'abc'],
    ['a code with look-alike characters', 'abcdefgh10'],
    ['markup', encodeURIComponent('<script>alert(1)</script>')],
    ['a path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ])('answers %s with a friendly 404 page', async (_, code) => {
    const page = await get(`/r/${code}`);
    expect(page.status).toBe(404);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toContain("This referral link doesn't work");
    expect(page.html).toMatch(/<html lang="en">/);
    expect(page.html).not.toContain('<script>');
  });

  it('answers 404 for a referrer who was erased and for an archived campaign', async () => {
    const gone = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'gone@example.com' });
    await t.api('DELETE', `/api/v1/participants/${gone.body.id}`);
    expect((await get(`/r/${gone.body.code}`)).status).toBe(404);
    const old = await t.api('POST', '/api/v1/campaigns', { name: 'Old' });
    const r = await t.api('POST', '/api/v1/referrers', { campaign_id: old.body.id, email: 'x@example.com' });
    await t.api('PATCH', `/api/v1/campaigns/${old.body.id}`, { status: 'archived' });
    expect((await get(`/r/${r.body.code}`)).status).toBe(404);
    expect((await post(r.body.code, { email: 'friend@example.com', consent: 'yes' })).status).toBe(404);
  });
});

describe('POST /r/:code (the form)', () => {
  it('signs the friend up as a pending lead of the referrer, with their consent recorded', async () => {
    const res = await post(ann.code, { first_name: 'Bob', last_name: 'Stone', email: 'Bob@Example.com', consent: 'yes' });
    expect(res.status).toBe(201);
    expect(res.html).toContain("Thanks, you're in!");
    expect(res.html).toContain('Ann Lee will be glad to hear it');
    const bob = await participantByEmail('bob@example.com');
    expect(bob.status).toBe(200);
    expect(bob.body).toMatchObject({ first_name: 'Bob', last_name: 'Stone', lead_status: 'pending', referred_by_id: ann.id, source: 'landing', status_source: 'landing' });
    expect(Date.parse(bob.body.custom_fields.consent_given_at)).not.toBeNaN();
    const referrer = await t.api('GET', `/api/v1/participants/${ann.id}`);
    expect(referrer.body.stats).toMatchObject({ referrals: 1, pending: 1 });
  });

  it('thanks a friend who submits twice without creating a second lead', async () => {
    const before = await participantCount();
    const again = await post(ann.code, { email: 'bob@example.com', consent: 'yes' });
    expect(again.status).toBe(200);
    expect(again.html).toContain("Thanks, you're in!");
    expect(await participantCount()).toBe(before);
  });

  it('re-renders the form with field errors for a bad email and missing consent, keeping what was typed', async () => {
    const before = await participantCount();
    const res = await post(ann.code, { first_name: 'Cleo', last_name: 'Park', email: 'cleo@' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('Ann Lee invited you to Acme Friends');
    const fields = inputs(res.html);
    expect(fields.get('first_name')!.value).toBe('Cleo');
    expect(fields.get('last_name')!.value).toBe('Park');
    expect(fields.get('email')!.value).toBe('cleo@');
    // each error is announced and tied to its input
    expect(fields.get('email')).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': 'email-err' });
    expect(res.html).toMatch(/<p class="err" id="email-err" role="alert">must be a valid email address<\/p>/);
    expect(fields.get('consent')).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': 'consent-err' });
    expect(res.html).toMatch(/<p class="err" id="consent-err" role="alert">Please agree so we can contact you.<\/p>/);
    expect(fields.get('first_name')!['aria-invalid']).toBeUndefined();
    expect(await participantCount()).toBe(before);
  });

  it('asks for an email when none is given', async () => {
    const res = await post(ann.code, { first_name: 'Dana', consent: 'yes' });
    expect(res.status).toBe(400);
    expect(inputs(res.html).get('email')).toMatchObject({ 'aria-invalid': 'true' });
    expect(res.html).toMatch(/id="email-err" role="alert">[^<]+</);
  });

  it('refuses a name over 100 characters, naming the field', async () => {
    const res = await post(ann.code, { first_name: 'x'.repeat(101), email: 'long@example.com', consent: 'yes' });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/id="first_name-err" role="alert">must be at most 100 characters</);
  });

  it('refuses a NUL character in a name with a field error instead of failing', async () => {
    const before = await participantCount();
    const res = await post(ann.code, { first_name: 'Ed\u0000', email: 'ed@example.com', consent: 'yes' });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/id="first_name-err" role="alert">[^<]+</);
    expect(await participantCount()).toBe(before);
  });

  it('escapes markup in the referrer’s and campaign’s names and in typed values', async () => {
    const c = await t.api('POST', '/api/v1/campaigns', { name: 'Deals & <b>Steals</b>' });
    const evil = await t.api('POST', '/api/v1/referrers', { campaign_id: c.body.id, email: 'evil@example.com', first_name: '<script>alert(1)</script>', last_name: '"><img src=x onerror=alert(2)>' });
    const page = await get(`/r/${evil.body.code}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<script>alert(1)</script>');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).not.toContain('<b>Steals</b>');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).toContain('Deals &amp; &lt;b&gt;Steals&lt;/b&gt;');

    const typed = await post(evil.body.code, { first_name: '"><script>alert(3)</script>', email: 'not-an-email' });
    expect(typed.status).toBe(400);
    expect(typed.html).not.toContain('<script>alert(3)</script>');
    expect(inputs(typed.html).get('first_name')!.value).toBe('&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;');

    const thanks = await post(evil.body.code, { email: 'victim@example.com', consent: 'yes' });
    expect(thanks.status).toBe(201);
    expect(thanks.html).not.toContain('<script>alert(1)</script>');
    expect(thanks.html).toContain('&lt;script&gt;');
  });

  it('refuses self-referral with a clear message and no new lead', async () => {
    const before = await participantCount();
    const res = await post(ann.code, { email: 'ANN@example.com', consent: 'yes' });
    expect(res.status).toBe(409);
    expect(res.html).toMatch(/id="email-err" role="alert">You cannot refer yourself.</);
    expect(await participantCount()).toBe(before);
  });

  it('keeps the credit with the first referrer when a friend was already referred by someone else', async () => {
    const other = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'carl@example.com', first_name: 'Carl' });
    const res = await post(other.body.code, { email: 'bob@example.com', consent: 'yes' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('This person has already been referred; the first referral keeps the credit.');
    const bob = await participantByEmail('bob@example.com');
    expect(bob.body.referred_by_id).toBe(ann.id);
  });

  it('refuses a referral loop: the person who referred the referrer cannot be referred back', async () => {
    const bob = await participantByEmail('bob@example.com');
    const res = await post(bob.body.code, { email: 'ann@example.com', consent: 'yes' });
    expect(res.status).toBe(409);
    expect(res.html).toMatch(/role="alert">(This person referred the referrer, so they cannot be referred back.|You cannot refer yourself.)</);
  });

  it('tells the friend a paused campaign is not accepting sign-ups, on the page and on submit', async () => {
    const c = await t.api('POST', '/api/v1/campaigns', { name: 'Paused promo' });
    const r = await t.api('POST', '/api/v1/referrers', { campaign_id: c.body.id, email: 'pat@example.com', first_name: 'Pat' });
    await t.api('PATCH', `/api/v1/campaigns/${c.body.id}`, { status: 'paused' });
    const page = await get(`/r/${r.body.code}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('This referral campaign is not accepting sign-ups right now.');
    expect(page.html).toMatch(/<button type="submit" disabled>/);
    const before = await participantCount();
    const res = await post(r.body.code, { first_name: 'Quinn', email: 'quinn@example.com', consent: 'yes' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('This referral campaign is not accepting referrals right now.');
    expect(inputs(res.html).get('first_name')!.value).toBe('Quinn');
    expect(await participantCount()).toBe(before);
  });

  it('does not ask for consent when the campaign does not require it', async () => {
    const c = await t.api('POST', '/api/v1/campaigns', { name: 'No consent', settings: { requireConsent: false } });
    const r = await t.api('POST', '/api/v1/referrers', { campaign_id: c.body.id, email: 'nc@example.com' });
    const page = await get(`/r/${r.body.code}`);
    expect(inputs(page.html).has('consent')).toBe(false);
    const res = await post(r.body.code, { email: 'friend-nc@example.com' });
    expect(res.status).toBe(201);
    const lead = await t.api('GET', `/api/v1/participants/friend-nc@example.com?campaign_id=${c.body.id}`);
    expect(lead.body.custom_fields).toEqual({});
  });

  it('answers a POST to an unknown code with the 404 page', async () => {
    const res = await post('zzzzzzzzzz', { email: 'x@example.com', consent: 'yes' });
    expect(res.status).toBe(404);
    expect(res.html).toContain("This referral link doesn't work");
  });
});

describe('POST /r/:code with Accept: application/json', () => {
  it('creates a pending lead and answers its id and status', async () => {
    const res = await postJson(ann.code, { email: 'json@example.com', first_name: 'Jay', consent: 'yes' });
    expect(res.status).toBe(201);
    expect(res.type).toMatch(/^application\/json/);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    const lead = await participantByEmail('json@example.com');
    expect(lead.body).toMatchObject({ id: res.body.id, first_name: 'Jay', lead_status: 'pending', referred_by_id: ann.id });
  });

  it('answers 200 with the same lead when repeated', async () => {
    const res = await postJson(ann.code, { email: 'json@example.com', consent: 'yes' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending');
  });

  it('answers field errors as JSON', async () => {
    const res = await postJson(ann.code, { email: 'nope', first_name: 42 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'validation_failed',
      fields: { email: 'must be a valid email address', first_name: expect.any(String), consent: 'Please agree so we can contact you.' },
    });
  });

  it('answers refusals and unknown codes as JSON', async () => {
    expect(await postJson(ann.code, { email: 'ann@example.com', consent: 'yes' })).toMatchObject({ status: 409, body: { error: 'self_referral', detail: 'You cannot refer yourself.' } });
    expect(await postJson('zzzzzzzzzz', { email: 'x@example.com', consent: 'yes' })).toMatchObject({ status: 404, body: { error: 'unknown_code' } });
  });

  it('accepts a form-encoded body while answering JSON', async () => {
    const res = await post(ann.code, { email: 'form-json@example.com', consent: 'yes' }, { accept: 'application/json' });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.html)).toMatchObject({ status: 'pending' });
  });

  it('prefers HTML when the browser accepts both', async () => {
    const res = await post(ann.code, { email: 'both@example.com', consent: 'yes' }, { accept: 'text/html,application/json;q=0.9' });
    expect(res.type).toMatch(/^text\/html/);
  });

  it('treats a malformed or non-object JSON body as an empty form', async () => {
    for (const raw of ['{"email":', '[1,2]', '"text"', 'null']) {
      const res = await t.app.request(`/r/${ann.code}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': freshIp() }, body: raw });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('validation_failed');
    }
  });
});

describe('the per-address limit on sign-ups', () => {
  it('answers 429 after 30 POSTs in a minute from one address, and leaves other addresses alone', async () => {
    const ip = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await post(ann.code, { email: 'not-an-email' }, { 'x-forwarded-for': ip })).status);
    expect(statuses.every((s) => s === 400)).toBe(true);
    const blocked = await post(ann.code, { email: 'late@example.com', consent: 'yes' }, { 'x-forwarded-for': ip });
    expect(blocked.status).toBe(429);
    expect(blocked.type).toMatch(/^text\/html/);
    expect(blocked.html).toContain('Please wait a minute and try again.');
    expect((await participantByEmail('late@example.com')).status).toBe(404);
    // a client cannot dodge the limit by writing its own first X-Forwarded-For entry: the proxy's last hop counts
    expect((await post(ann.code, { email: 'late@example.com', consent: 'yes' }, { 'x-forwarded-for': `10.0.0.9, ${ip}` })).status).toBe(429);
    expect((await post(ann.code, { email: 'late@example.com', consent: 'yes' }, { 'x-forwarded-for': '198.51.100.78' })).status).toBe(201);
    // viewing the page is not limited
    expect((await t.app.request(`/r/${ann.code}`, { headers: { 'x-forwarded-for': ip } })).status).toBe(200);
  });
});
