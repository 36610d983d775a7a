import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// HubSpot's limits: 110 requests per rolling 10 s per (app, portal), search 5/s per portal, the
// exact 429 bodies the SDK's retry keys on, and the X-HubSpot-RateLimit-* headers.

const require = createRequire(import.meta.url);
const RetryDecorator = require('@hubspot/api-client/lib/src/services/decorators/RetryDecorator.js').default as {
  prototype: { _waitAfterRequestFailure(status: number, retryNumber: number, timeout: number): Promise<void> };
};

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.emu.close();
  h = undefined;
});

/** A clock the test moves by hand, so window edges can be hit to the millisecond. */
function manualClock(start = Date.parse('2026-03-01T00:00:00Z')) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('the ten-second rolling limit', () => {
  it('lets exactly 110 of 300 concurrent requests through and answers the rest with the TEN_SECONDLY_ROLLING 429', async () => {
    h = await startHarness({ rateLimits: true });
    const api = h.client.crm.contacts.basicApi;
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => api.getPageWithHttpInfo(1)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(ok).toHaveLength(110);
    expect(refused).toHaveLength(190);
    expect(refused.every((e) => e.code === 429)).toBe(true);
    expect(refused[0].body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' });
    expect(refused[0].headers['x-hubspot-ratelimit-remaining']).toBe('0');
    const remaining = ok.map((r) => Number((r as PromiseFulfilledResult<{ headers: Record<string, string> }>).value.headers['x-hubspot-ratelimit-remaining'])).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 110 }, (_, i) => i));
    const first = (ok[0] as PromiseFulfilledResult<{ headers: Record<string, string> }>).value.headers;
    expect(first['x-hubspot-ratelimit-max']).toBe('110');
    expect(first['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
    expect(h.emu.requestLog.count({ status: 429 })).toBe(190);
  });

  it('frees a slot exactly when a request leaves the 10 s window', async () => {
    const clock = manualClock();
    h = await startHarness({ rateLimits: true, now: clock.now });
    const api = h.client.crm.contacts.basicApi;
    for (let i = 0; i < 110; i++) {
      await api.getPage(1);
      clock.t += 10;
    }
    const firstAt = clock.t - 110 * 10;
    expect((await rejection(() => api.getPage(1))).code).toBe(429);
    clock.t = firstAt + 9_999;
    expect((await rejection(() => api.getPage(1))).code).toBe(429);
    clock.t = firstAt + 10_000;
    await api.getPage(1);
    expect((await rejection(() => api.getPage(1))).code).toBe(429);
    clock.t = firstAt + 10_010;
    await api.getPage(1);
  });

  it('counts each (app, portal) pair separately', async () => {
    h = await startHarness({ rateLimits: true });
    h.emu.rateLimits.configure({ max: 3 });
    const other = h.emu.createPortal();
    const otherClient = h.clientWith({ accessToken: h.emu.issueTokens(h.app.appId, other.portalId).accessToken });
    for (let i = 0; i < 3; i++) await h.client.crm.contacts.basicApi.getPage(1);
    expect((await rejection(() => h!.client.crm.contacts.basicApi.getPage(1))).code).toBe(429);
    await otherClient.crm.contacts.basicApi.getPage(1);
  });

});

describe('the search limit', () => {
  it('lets 5 searches per second per portal through, then answers the SECONDLY 429 without rate headers', async () => {
    const clock = manualClock();
    h = await startHarness({ rateLimits: true, now: clock.now });
    const search = () => h!.client.crm.contacts.searchApi.doSearchWithHttpInfo({ limit: 1 } as never);
    const ok = await Promise.all(Array.from({ length: 5 }, search));
    expect(ok[0].headers['x-hubspot-ratelimit-max']).toBeUndefined();
    const e = await rejection(search);
    expect(e.code).toBe(429);
    expect(e.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'SECONDLY', message: 'You have reached your secondly limit.' });
    expect(e.headers['x-hubspot-ratelimit-max']).toBeUndefined();
    clock.t += 1_000;
    await search();
  });

  it('does not spend the ten-second budget on searches', async () => {
    const clock = manualClock();
    h = await startHarness({ rateLimits: true, now: clock.now });
    h.emu.rateLimits.configure({ max: 2 });
    for (let i = 0; i < 4; i++) {
      await h.client.crm.contacts.searchApi.doSearch({ limit: 1 } as never);
      clock.t += 250;
    }
    await h.client.crm.contacts.basicApi.getPage(1);
    await h.client.crm.contacts.basicApi.getPage(1);
  });
});

describe('the SDK\'s own retry', () => {
  it('recovers from a TEN_SECONDLY_ROLLING storm (the SDK\'s 10 s waits are played on the emulator clock)', async () => {
    const clock = manualClock();
    h = await startHarness({ rateLimits: true, now: clock.now });
    const waits: number[] = [];
    // The SDK decides to retry from the 429 body; only its sleep is replaced. Sleepers are woken
    // together once a round of answers is in, with the emulator clock moved as far as they slept.
    let sleepers: { wakeAt: number; wake: () => void }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    vi.spyOn(RetryDecorator.prototype, '_waitAfterRequestFailure').mockImplementation((_status, retryNumber, timeout) => {
      waits.push(timeout);
      return new Promise<void>((wake) => {
        sleepers.push({ wakeAt: clock.t + timeout * retryNumber, wake });
        clearTimeout(timer);
        timer = setTimeout(() => {
          const round = sleepers;
          sleepers = [];
          clock.t = Math.max(clock.t, ...round.map((s) => s.wakeAt));
          for (const s of round) s.wake();
        }, 50);
      });
    });
    const client = h.clientWith({ numberOfApiCallRetries: 3 });
    const api = client.crm.contacts.basicApi;
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => api.getPage(1)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect(h.emu.requestLog.count({ status: 200 })).toBe(300);
    expect(h.emu.requestLog.count({ status: 429 })).toBe(190 + 80);
    expect(new Set(waits)).toEqual(new Set([10_000]));
  });

  it('recovers from a SECONDLY search storm in real time (1 s back-off keyed on the message)', async () => {
    h = await startHarness({ rateLimits: true });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const client = h.clientWith({ numberOfApiCallRetries: 4 });
    const search = client.crm.contacts.searchApi;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 7 }, () => search.doSearch({ limit: 1 } as never)));
    expect(results).toHaveLength(7);
    expect(h.emu.requestLog.count({ status: 429 })).toBe(2);
    expect(h.emu.requestLog.count({ status: 200 })).toBe(7);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  }, 15_000);

  it('can be switched off entirely', async () => {
    h = await startHarness({ rateLimits: false });
    const results = await Promise.allSettled(Array.from({ length: 150 }, () => h!.client.crm.contacts.basicApi.getPageWithHttpInfo(1)));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
