import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// Injected faults: 5xx, 423, latency, dropped connections, scoped by path, reproducible by seed.

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.emu.close();
  h = undefined;
});

describe('fault injection', () => {
  it('answers a configured share of requests with 502/503/504 as JSON the SDK parses', async () => {
    h = await startHarness();
    h.emu.faults.set({ errorRate: 1, errorStatuses: [503] });
    const e = await rejection(() => h!.client.crm.contacts.basicApi.getPage());
    expect(e.code).toBe(503);
    expect(e.body).toMatchObject({ status: 'error', category: 'SERVICE_UNAVAILABLE' });
    h.emu.faults.clear();
    await h.client.crm.contacts.basicApi.getPage();
  });

  it('lets the SDK\'s 5xx retry get through a short outage', async () => {
    h = await startHarness();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    h.emu.faults.set({ nextStatuses: [502, 504] });
    const client = h.clientWith({ numberOfApiCallRetries: 3 });
    await client.crm.contacts.basicApi.getPage();
    expect(h.emu.requestLog.entries().map((e) => e.status)).toEqual([502, 504, 200]);
  });

  it('answers 423 Locked for the locked share', async () => {
    h = await startHarness();
    h.emu.faults.set({ lockedRate: 1 });
    expect((await rejection(() => h!.client.crm.contacts.basicApi.getPage())).code).toBe(423);
  });

  it('adds latency', async () => {
    h = await startHarness();
    h.emu.faults.set({ latencyMs: 120 });
    const t = performance.now();
    await h.client.crm.contacts.basicApi.getPage();
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('drops connections: the SDK sees a network error over HTTP, in-process callers a TypeError', async () => {
    h = await startHarness();
    h.emu.faults.set({ dropRate: 1 });
    const e = await rejection(() => h!.client.crm.contacts.basicApi.getPage());
    expect(e).toBeInstanceOf(TypeError);
    await expect(h.emu.fetch(new Request(`${h.url}/crm/v3/objects/contacts`, { headers: { authorization: `Bearer ${h.tokens.accessToken}` } }))).rejects.toThrow(TypeError);
    expect(h.emu.requestLog.entries().map((x) => x.status)).toEqual([0, 0]);
    h.emu.faults.clear();
    await h.client.crm.contacts.basicApi.getPage();
  });

  it('limits faults to matching paths', async () => {
    h = await startHarness();
    h.emu.faults.set({ errorRate: 1, path: '/crm/v3/objects/deals' });
    await h.client.crm.contacts.basicApi.getPage();
    expect((await rejection(() => h!.client.crm.deals.basicApi.getPage())).code).toBeGreaterThanOrEqual(502);
  });

  it('makes the same decisions for the same seed', async () => {
    const run = async () => {
      const x = await startHarness({ seed: 42 });
      x.emu.faults.set({ errorRate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push(await x.client.crm.contacts.basicApi.getPage().then(() => 200, (e) => e.code));
      await x.emu.close();
      return statuses;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
