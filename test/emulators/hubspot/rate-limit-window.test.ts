import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './test-support/setup.ts';

// The one test that runs against HubSpot's real 10-second window in real time (kept in its own
// file so the rest of the suite runs beside it).

let h: Harness | undefined;
afterEach(async () => {
  await h?.emu.close();
  h = undefined;
});

describe('the ten-second rolling limit in real time', () => {
  it('stays exact to within one request over a real 10 s window under continuous concurrent load', async () => {
    h = await startHarness({ rateLimits: true });
    const api = h.client.crm.contacts.basicApi;
    const started = Date.now();
    const inFlight: Promise<unknown>[] = [];
    while (Date.now() - started < 10_600) {
      for (let i = 0; i < 12; i++) inFlight.push(api.getPage(1).catch(() => undefined));
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(inFlight);
    const okAt = h.emu.requestLog.entries({ status: 200 }).map((e) => e.at).sort((a, b) => a - b);
    let maxInWindow = 0;
    let lo = 0;
    for (let hi = 0; hi < okAt.length; hi++) {
      while (okAt[lo] <= okAt[hi] - 10_000) lo++;
      maxInWindow = Math.max(maxInWindow, hi - lo + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(110);
    expect(maxInWindow).toBeGreaterThanOrEqual(109);
    // The window slid: requests after the first 10 s got through again.
    expect(okAt.at(-1)! - okAt[0]).toBeGreaterThanOrEqual(10_000);
    expect(okAt.length).toBeGreaterThan(110);
  }, 20_000);
});
