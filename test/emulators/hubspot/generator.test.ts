import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './test-support/setup.ts';

// Large portals: 100,000 contacts must be quick to make and to query.

let h: Harness;
let listId: number;
let generated: { firstId: number; lastId: number; ms: number; heapMb: number };

beforeAll(async () => {
  h = await startHarness();
  listId = h.emu.ui.createList(h.portalId, { name: 'Customers', processingType: 'DYNAMIC', filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }] }] });
  const heap = process.memoryUsage().heapUsed;
  const t = performance.now();
  const r = h.emu.generateContacts(h.portalId, 100_000);
  generated = { ...r, ms: performance.now() - t, heapMb: (process.memoryUsage().heapUsed - heap) / 1e6 };
});
afterAll(() => h.emu.close());

describe('the portal generator', () => {
  it('makes 100,000 contacts in well under two seconds and under 200 MB of heap', () => {
    expect(h.emu.portal(h.portalId).contactCount).toBe(100_000);
    expect(generated.lastId - generated.firstId + 1).toBe(100_000);
    expect(generated.ms).toBeLessThan(2_000);
    expect(generated.heapMb).toBeLessThan(200);
  });

  it('makes unique, readable emails and a spread of lifecycle stages that dynamic lists pick up', async () => {
    const c = await h.client.crm.contacts.basicApi.getById(String(generated.firstId), ['email', 'firstname', 'lastname', 'lifecyclestage']);
    expect(c.properties.email).toMatch(/^[a-z]+\.[a-z]+\.\d+@gen\.refcard\.test$/);
    const byEmail = await h.client.crm.contacts.basicApi.getById(c.properties.email!, undefined, undefined, undefined, false, 'email');
    expect(byEmail.id).toBe(c.id);
    expect(h.emu.portal(h.portalId).list(listId)!.size).toBe(25_000);
  });

  it('answers a filtered, sorted search over 100,000 contacts in well under a second', async () => {
    const t = performance.now();
    const res = await h.client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ' as never, value: 'customer' }] }],
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }] as never, properties: ['email'], limit: 200,
    } as never);
    expect(performance.now() - t).toBeLessThan(1_000);
    expect(res.total).toBe(25_000);
    expect(Number(res.results[0].id)).toBeGreaterThan(Number(res.results[199].id));
  });

  it('windows by createdate so a sync can get past the 10,000-result cap', async () => {
    const first = h.emu.portal(h.portalId).contact(generated.firstId)!.createdAt.getTime();
    const res = await h.client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'createdate', operator: 'BETWEEN' as never, value: String(first), highValue: String(first + 9_999 * 60_000) }] }], limit: 1,
    } as never);
    expect(res.total).toBe(10_000);
  });

  it('pages the whole portal with getPage in id order', async () => {
    let after: string | undefined;
    let count = 0;
    let last = 0;
    const t = performance.now();
    do {
      const page = await h.client.crm.contacts.basicApi.getPage(100, after);
      for (const r of page.results) {
        expect(Number(r.id)).toBeGreaterThan(last);
        last = Number(r.id);
      }
      count += page.results.length;
      after = page.paging?.next?.after;
    } while (after && count < 5_000);
    expect(count).toBe(5_000);
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});
