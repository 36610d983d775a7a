import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startReceiver } from '../support/receiver.ts';
import { createApiKey, revokeApiKey } from '../../server/program/accounts.ts';
import { freePort, startRefcardProcess, type RefcardProcess } from './support/processes.ts';

// API keys never reach the log. A real server process logs at the most verbose level (trace) while
// an integration uses its key every way it can — rightly, wrongly, revoked, in the wrong header, in
// the query string, as an idempotency key, in a body — and its webhook endpoint fails and retries;
// then the whole log is searched for the key and for any 12-character piece of its secret part.

let t: TestApp;
let web: RefcardProcess;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let key: { id: string; key: string };
let revoked: { id: string; key: string };
const dataDir = mkdtempSync(join(tmpdir(), 'refcard-drill-'));

beforeAll(async () => {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // Credentials that are never used here; they keep the server out of sandbox mode.
    HUBSPOT_CLIENT_ID: 'drill-client',
    HUBSPOT_CLIENT_SECRET: randomBytes(16).toString('hex'),
    HUBSPOT_APP_ID: '1',
    HUBSPOT_API_BASE: 'http://127.0.0.1:9',
    HUBSPOT_AUTH_BASE: 'http://127.0.0.1:9',
    INTERCOM_CLIENT_ID: 'drill-intercom',
    INTERCOM_CLIENT_SECRET: randomBytes(16).toString('hex'),
    INTERCOM_API_BASE: 'http://127.0.0.1:9',
    INTERCOM_AUTH_BASE: 'http://127.0.0.1:9',
  };
  t = await startTestApp({ workers: false, env });
  key = await createApiKey(t.ctx.db, t.account.id, 'logged integration');
  revoked = await createApiKey(t.ctx.db, t.account.id, 'old integration');
  await t.ctx.db.transaction((tx) => revokeApiKey(tx, t.account.id, revoked.id));
  receiver = await startReceiver([500, 500, 200, 200, 200, 200, 200, 200, 200, 200]);
  web = await startRefcardProcess({ role: 'web', env: { ...env, DATABASE_URL: t.database.url, DATA_DIR: dataDir, LOG_LEVEL: 'trace' }, workers: true });
}, 120_000);
afterAll(async () => {
  await web?.kill9();
  await receiver?.close();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('API keys in the log', () => {
  it('never appear, whatever the integration does with its key, at the most verbose log level', async () => {
    const url = (p: string) => `${web.url}${p}`;
    const call = async (p: string, init: RequestInit = {}) => {
      const res = await fetch(url(p), { ...init, signal: AbortSignal.timeout(15_000) });
      return { status: res.status, body: await res.text() };
    };
    const json = (k: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${k}`, 'content-type': 'application/json', ...extra });

    const campaign = JSON.parse((await call('/api/v1/campaigns', { method: 'POST', headers: json(key.key), body: JSON.stringify({ name: 'Logged', reward_rules: [{ id: 'r', name: '$1', recipient: 'referrer', amountCents: 100, currency: 'USD' }] }) })).body);
    expect(campaign.id).toBeDefined();
    expect((await call('/api/v1/webhook-endpoints', { method: 'POST', headers: json(key.key), body: JSON.stringify({ url: receiver.url }) })).status).toBe(201);
    const ref = JSON.parse((await call('/api/v1/referrers', { method: 'POST', headers: json(key.key, { 'idempotency-key': key.key }), body: JSON.stringify({ campaign_id: campaign.id, email: 'ann@logs.test' }) })).body);
    const lead = JSON.parse((await call('/api/v1/leads', { method: 'POST', headers: json(key.key), body: JSON.stringify({ campaign_id: campaign.id, email: 'bo@logs.test', referral_code: ref.code }) })).body);
    expect((await call('/api/v1/leads/qualify', { method: 'POST', headers: json(key.key), body: JSON.stringify({ campaign_id: campaign.id, id: lead.id, reason: 'paid' }) })).status).toBe(200);

    const refusals: [string, RequestInit, number][] = [
      ['/api/v1/campaigns', { headers: { authorization: `Bearer ${revoked.key}` } }, 401],
      ['/api/v1/campaigns', { headers: { authorization: `Bearer ${key.key}x` } }, 401],
      ['/api/v1/campaigns', { headers: { authorization: `Bearer ${key.key} ${key.key}` } }, 401],
      ['/api/v1/campaigns', { headers: { authorization: `Basic ${Buffer.from(`${key.key}:`).toString('base64')}` } }, 401],
      ['/api/v1/campaigns', { headers: { 'x-api-key': key.key } }, 401],
      [`/api/v1/campaigns?api_key=${key.key}`, {}, 401],
      [`/api/v1/${key.key}`, { headers: { authorization: `Bearer ${key.key}` } }, 404],
      ['/api/v1/referrers', { method: 'POST', headers: json(key.key), body: JSON.stringify({ campaign_id: campaign.id, email: key.key, first_name: key.key }) }, 400],
      ['/api/v1/referrers', { method: 'POST', headers: json(key.key), body: `{"email": "${key.key}"` }, 400],
      ['/api/v1/referrers', { method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'text/plain' }, body: key.key }, 415],
      ['/api/v1/referrers', { method: 'POST', headers: json(key.key, { 'idempotency-key': key.key }), body: JSON.stringify({ campaign_id: campaign.id, email: 'other@logs.test' }) }, 422],
      [`/hubspot/card?contactId=1&portalId=1&key=${key.key}`, { headers: { authorization: `Bearer ${key.key}` } }, 401],
      ['/intercom/webhooks', { method: 'POST', headers: { 'x-hub-signature': `sha1=${key.key}` }, body: key.key }, 401],
    ];
    for (const [p, init, status] of refusals) {
      const r = await call(p, init);
      if (status === 422) expect(r.status, p).toBeGreaterThanOrEqual(400);
      else expect(r.status, `${p}: ${r.body.slice(0, 200)}`).toBe(status);
    }
    // The endpoint's failures are retried by the worker (and logged as warnings).
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const check = () => (receiver.received.length >= 3 ? resolve() : Date.now() > deadline ? reject(new Error(`only ${receiver.received.length} deliveries`)) : setTimeout(check, 200));
      check();
    });
    await web.stop();

    const log = web.output();
    // The log covers what happened (start, the endpoint's failures and retries): it is worth searching.
    expect(log).toContain('Refcard is ready');
    expect(log).toContain('job failed; it will be retried');
    const secretPart = key.key.slice('rk_live_'.length);
    expect(secretPart.length).toBeGreaterThanOrEqual(24);
    for (const k of [key, revoked]) {
      expect(log.includes(k.key), 'a whole key is in the log').toBe(false);
      const part = k.key.slice('rk_live_'.length);
      for (let i = 0; i + 12 <= part.length; i += 4) expect(log.includes(part.slice(i, i + 12)), `a piece of a key (${i}…) is in the log`).toBe(false);
    }
  }, 150_000);
});
