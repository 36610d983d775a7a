// Rate limits: 10-second windows, per-minute budgets ÷ 6, per installation and per workspace,
// headers on every authenticated answer, and the SDK's own back-off recovering from 429s.
import { IntercomClient, IntercomError } from 'intercom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { harness } from './harness.ts';
import type { IntercomEmulator } from './index.ts';

const T0 = 1_800_000_000_000; // a window boundary (divisible by 10 s)
let cleanup: IntercomEmulator | undefined;
afterEach(async () => { await cleanup?.close(); cleanup = undefined; });

const statusOf = (p: Promise<unknown>) => p.then(() => 200, (e: IntercomError) => e.statusCode ?? 0);

describe('headers and budgets', () => {
  test('authenticated answers carry X-RateLimit-Limit, -Remaining and a Reset on the 10-second grid', async () => {
    const h = harness({ now: () => T0 + 3_500 });
    const { rawResponse } = await h.client.admins.identify().withRawResponse();
    expect(rawResponse.headers.get('x-ratelimit-limit')).toBe('1667'); // 10,000/min ÷ 6, rounded up
    expect(rawResponse.headers.get('x-ratelimit-remaining')).toBe('1666');
    expect(rawResponse.headers.get('x-ratelimit-reset')).toBe(String(T0 / 1000 + 10));
  });

  test('over the limit the answer is 429 rate_limit_exceeded naming the window budget', async () => {
    const h = harness({ now: () => T0, rateLimits: { perAppPerMinute: 60 } });
    for (let i = 0; i < 10; i++) await h.client.admins.identify();
    const e = await h.client.admins.identify().catch((x: unknown) => x as IntercomError);
    expect((e as IntercomError).statusCode).toBe(429);
    expect((e as IntercomError).body).toMatchObject({ type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 10 in 10_seconds' }] });
    expect((e as IntercomError).rawResponse?.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  test('a new window restores the budget', async () => {
    let now = T0;
    const h = harness({ now: () => now, rateLimits: { perAppPerMinute: 60 } });
    for (let i = 0; i < 10; i++) await h.client.admins.identify();
    expect(await statusOf(h.client.admins.identify())).toBe(429);
    now += 10_000;
    expect(await statusOf(h.client.admins.identify())).toBe(200);
  });

  test('apps in one workspace share the workspace pool while each keeps its own budget', async () => {
    const h = harness({ now: () => T0, rateLimits: { perAppPerMinute: 60, perWorkspacePerMinute: 120 } });
    const clients = ['b', 'c'].map((id) => {
      h.emu.registerApp({ clientId: id, clientSecret: 's', redirectUrls: ['http://127.0.0.1:1/cb'] });
      return new IntercomClient({ token: h.emu.installApp(id, h.idCode).accessToken, baseUrl: h.emu.url, fetch: h.emu.fetch, maxRetries: 0 });
    });
    const burst = (c: IntercomClient) => Promise.all(Array.from({ length: 15 }, () => statusOf(c.admins.identify())));
    const a = await burst(h.client);
    const b = await burst(clients[0]);
    const c = await burst(clients[1]);
    expect(a.filter((s) => s === 200)).toHaveLength(10); // app budget
    expect(b.filter((s) => s === 200)).toHaveLength(10); // app budget, workspace now at 20
    expect(c.filter((s) => s === 200)).toHaveLength(0); // workspace pool exhausted
    const e = await clients[1].admins.identify().catch((x: unknown) => x as IntercomError);
    expect(((e as IntercomError).body as { errors: Array<{ message: string }> }).errors[0].message).toBe('Exceeded rate limit of 20 in 10_seconds');
  });

  test('with rate limits off nothing is refused', async () => {
    const h = harness({ now: () => T0, rateLimits: false });
    h.emu.setRateLimits({ perAppPerMinute: 6 });
    const s = await Promise.all(Array.from({ length: 20 }, () => statusOf(h.client.admins.identify())));
    expect(s.every((x) => x === 200)).toBe(true);
  });
});

describe('concurrency', () => {
  test('a concurrent burst in one window admits exactly the budget, in-process and over HTTP', async () => {
    const h = harness({ now: () => T0, rateLimits: { perAppPerMinute: 120 } });
    const inProcess = await Promise.all(Array.from({ length: 60 }, () => statusOf(h.client.admins.identify())));
    expect(inProcess.filter((s) => s === 200)).toHaveLength(20);
    expect(inProcess.filter((s) => s === 429)).toHaveLength(40);

    cleanup = h.emu;
    h.emu.setRateLimits({}); // new window bookkeeping
    const url = await h.emu.listen();
    const http = new IntercomClient({ token: h.token, baseUrl: url, maxRetries: 0 });
    const overHttp = await Promise.all(Array.from({ length: 60 }, () => statusOf(http.contacts.list())));
    expect(overHttp.filter((s) => s === 200)).toHaveLength(20);
  });

  test('under sustained concurrent load on a real clock no window admits more than its budget', async () => {
    const h = harness({ rateLimits: { perAppPerMinute: 60, windowMs: 200 } });
    cleanup = h.emu;
    const url = await h.emu.listen();
    const client = new IntercomClient({ token: h.token, baseUrl: url, maxRetries: 0 });
    const until = Date.now() + 1_100;
    const worker = async () => { while (Date.now() < until) await statusOf(client.admins.identify()); };
    await Promise.all(Array.from({ length: 12 }, worker));
    const perWindow = new Map<number, number>();
    for (const e of h.emu.requestLog.entries({ status: 200 })) perWindow.set(Math.floor(e.at / 200), (perWindow.get(Math.floor(e.at / 200)) ?? 0) + 1);
    const counts = [...perWindow.values()];
    expect(Math.max(...counts)).toBeLessThanOrEqual(10);
    // Demand far exceeds supply, so full windows are used to the last request.
    const middle = counts.slice(1, -1).sort((a, b) => a - b);
    expect(middle[Math.floor(middle.length / 2)]).toBe(10);
    expect(h.emu.requestLog.count({ status: 429 })).toBeGreaterThan(0);
  });
});

describe('SDK recovery', () => {
  test('the SDK with maxRetries 2 waits for X-RateLimit-Reset and every call succeeds', async () => {
    const h = harness({ rateLimits: { perAppPerMinute: 12, windowMs: 1_000 } }); // 2 per 1 s window
    const client = h.clientWith({ maxRetries: 2 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.admins.identify()));
    expect(results.every((r) => r?.app?.id_code === h.idCode)).toBe(true);
    expect(h.emu.requestLog.count({ status: 429 })).toBeGreaterThan(0);
    expect(h.emu.requestLog.count({ status: 200 })).toBe(5);
    expect(Date.now() - started).toBeLessThan(6_000);
  }, 15_000);

  test('with maxRetries 0 the 429 surfaces as an IntercomError with the headers intact', async () => {
    const h = harness({ now: () => T0, rateLimits: { perAppPerMinute: 6 } });
    await h.client.admins.identify();
    const e = (await h.client.admins.identify().catch((x: unknown) => x)) as IntercomError;
    expect(e.statusCode).toBe(429);
    expect(Number(e.rawResponse?.headers.get('x-ratelimit-reset'))).toBe(T0 / 1000 + 10);
  });
});
