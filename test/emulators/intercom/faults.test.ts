// Fault injection: forced failures for the next N calls, a share of 5xx, latency, dropped
// connections and hangs — and how the real SDK reacts to each.
import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { harness } from './harness.ts';
import type { IntercomEmulator } from './index.ts';

let toClose: IntercomEmulator | undefined;
afterEach(async () => { await toClose?.close(); toClose = undefined; });

const statusOf = (p: Promise<unknown>) => p.then(() => 200, (e: IntercomError) => e.statusCode ?? 0);

describe('scheduled failures', () => {
  test('the next N calls fail with the given status and then the API answers normally', async () => {
    const h = harness();
    h.emu.faults.failNext(2, 503);
    expect(await statusOf(h.client.admins.identify())).toBe(503);
    expect(await statusOf(h.client.admins.identify())).toBe(503);
    expect(await statusOf(h.client.admins.identify())).toBe(200);
    expect(h.emu.requestLog.entries({ path: '/me' }).map((e) => [e.status, e.fault])).toEqual([[503, '503'], [503, '503'], [200, undefined]]);
  });

  test('a scheduled failure can target one endpoint', async () => {
    const h = harness();
    h.emu.faults.failNext(1, 500, { method: 'POST', path: '/contacts/search' });
    expect(await statusOf(h.client.admins.identify())).toBe(200);
    expect(await statusOf(h.client.contacts.search({ query: { field: 'role', operator: '=', value: 'user' } }))).toBe(500);
  });

  test('the SDK retries a transient 500 and succeeds, or gives up when the failures outlast its retries', async () => {
    const h = harness();
    const retrying = h.clientWith({ maxRetries: 2 });
    h.emu.faults.failNext(1, 500);
    expect((await retrying.admins.identify())?.app?.id_code).toBe(h.idCode);
    h.emu.faults.failNext(2, 500);
    expect(await statusOf(h.clientWith({ maxRetries: 1 }).admins.identify())).toBe(500);
    expect(h.emu.requestLog.count({ status: 500 })).toBe(3);
  }, 15_000);

  test('a forced 429 carries rate-limit headers so the SDK backs off until the reset', async () => {
    const h = harness({ rateLimits: { windowMs: 1_000 } });
    h.emu.faults.failNext(1, 429);
    const started = Date.now();
    const me = await h.clientWith({ maxRetries: 1 }).admins.identify();
    expect(me?.app?.id_code).toBe(h.idCode);
    const entry = h.emu.requestLog.entries({ status: 429 })[0];
    expect(entry.fault).toBe('429');
    expect(Date.now() - started).toBeLessThan(2_000);
  }, 10_000);
});

describe('random faults', () => {
  test('a seeded error rate fails a repeatable share of calls', async () => {
    const run = async () => {
      const h = harness();
      h.emu.faults.set({ errorRate: 0.3, errorStatus: 502, seed: 42 });
      return Promise.all(Array.from({ length: 40 }, () => statusOf(h.client.admins.identify())));
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failed = a.filter((s) => s === 502).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(24);
  });

  test('added latency delays answers and clear() removes every fault', async () => {
    const h = harness();
    h.emu.faults.set({ latencyMs: 120 });
    let t = Date.now();
    await h.client.admins.identify();
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    h.emu.faults.clear();
    t = Date.now();
    await h.client.admins.identify();
    expect(Date.now() - t).toBeLessThan(100);
  });
});

describe('broken connections', () => {
  test('a dropped connection reaches the SDK as a network error in-process and over HTTP', async () => {
    const h = harness();
    h.emu.faults.failNext(1, 'drop');
    const inProcess = await h.client.admins.identify().catch((e: unknown) => e);
    expect(inProcess).toBeInstanceOf(IntercomError);
    expect((inProcess as IntercomError).statusCode).toBeUndefined();

    toClose = h.emu;
    const url = await h.emu.listen();
    h.emu.faults.failNext(1, 'drop');
    const res = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${h.token}` } }).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(TypeError);
    const ok = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(ok.status).toBe(200);
  });

  // Node's fetch rejects with the abort *reason*, and the SDK aborts with the string "timeout",
  // so on Node 24 a timeout surfaces as a plain IntercomError, not IntercomTimeoutError.
  // The in-process fetch mirrors that; over HTTP the real fetch shows the same.
  test('a hanging request makes the SDK give up with its timeout, in-process and over HTTP', async () => {
    const h = harness();
    h.emu.faults.failNext(1, 'timeout');
    const e = await h.clientWith({ timeoutInSeconds: 0.2 }).admins.identify().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntercomError);
    expect(e).not.toBeInstanceOf(IntercomTimeoutError);
    expect((e as IntercomError).statusCode).toBeUndefined();
    expect((e as IntercomError).message).toContain('timeout');
    expect((await h.client.admins.identify())?.type).toBe('admin');

    toClose = h.emu;
    const url = await h.emu.listen();
    h.emu.faults.failNext(1, 'timeout');
    const overHttp = await h.clientWith({ baseUrl: url, fetch: undefined, timeoutInSeconds: 0.2 }).admins.identify().catch((x: unknown) => x);
    expect((overHttp as IntercomError).message).toBe((e as IntercomError).message);
  });
});
