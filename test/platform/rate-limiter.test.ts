import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createDb } from '../../server/db/client.ts';
import { createRateLimiter } from '../../server/platform/rate-limiter.ts';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb?.close());

describe('the per-tenant rate limiter kept in PostgreSQL', () => {
  it('never lets more than the limit through in any window, even from several processes at once', async () => {
    // Two separate pools stand in for two processes sharing one database.
    const a = createDb(tdb.url, { max: 4 });
    const b = createDb(tdb.url, { max: 4 });
    const limiters = [createRateLimiter(a.db), createRateLimiter(b.db)];
    const limit = { max: 20, windowMs: 1000 };
    const granted: number[] = [];
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        limiters[i % 2]!.acquire('portal:1', limit).then(() => granted.push(Date.now() - start)),
      ),
    );
    granted.sort((x, y) => x - y);
    // Grant times are seen here after a round trip, so allow 50 ms of jitter at the window's edge.
    for (let i = 0; i < granted.length; i++) {
      const inWindow = granted.filter((t) => t >= granted[i]! && t < granted[i]! + limit.windowMs - 50).length;
      expect(inWindow).toBeLessThanOrEqual(limit.max);
    }
    // 50 requests at 20 per second need a little over two windows, not much more.
    expect(granted[granted.length - 1]!).toBeGreaterThanOrEqual(2000);
    expect(granted[granted.length - 1]!).toBeLessThan(3500);
    await a.close();
    await b.close();
  });

  it('counts a request until a window after its answer, however late the answer came', async () => {
    // The platform counts a request when it arrives, which can be as late as its answer.
    const limiter = createRateLimiter(tdb.db);
    const limit = { max: 2, windowMs: 1000 };
    const t0 = Date.now();
    const slow = await limiter.acquire('portal:slow', limit);
    await limiter.acquire('portal:slow', limit);
    await new Promise((r) => setTimeout(r, 600));
    const answered = Date.now();
    await limiter.settle('portal:slow', limit, slow);
    await limiter.acquire('portal:slow', limit);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t0).toBeLessThan(1500);
    await limiter.acquire('portal:slow', limit);
    expect(Date.now() - answered).toBeGreaterThanOrEqual(1000);
    expect(await limiter.used('portal:slow', limit)).toBe(2);
  });

  it('keeps tenants apart: one portal at its limit does not slow another', async () => {
    const limiter = createRateLimiter(tdb.db);
    const limit = { max: 5, windowMs: 5000 };
    for (let i = 0; i < 5; i++) await limiter.acquire('portal:busy', limit);
    const t0 = Date.now();
    await limiter.acquire('portal:quiet', limit);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(await limiter.used('portal:busy', limit)).toBe(5);
  });
});
