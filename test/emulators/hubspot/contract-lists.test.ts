import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// Lists v3 through the SDK: fetch, search, memberships in both orders and both directions,
// a record's lists, manual add/remove, dynamic lists that follow the data.

let h: Harness;
let ids: Record<string, number>;
let lists: Record<string, number>;

beforeAll(async () => {
  h = await startHarness();
  const seeded = h.emu.seedPortal(h.portalId, {
    contacts: Array.from({ length: 7 }, (_, i) => ({ key: `c${i}`, properties: { email: `c${i}@lists.test`, lifecyclestage: i % 2 ? 'customer' : 'lead' } })),
    lists: [
      { name: 'Referrers', processingType: 'MANUAL', members: ['c5', 'c1', 'c3'] },
      { name: 'Customers', where: { lifecyclestage: 'customer' } },
      { name: 'Frozen', processingType: 'SNAPSHOT', filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }] }] },
    ],
  });
  ids = seeded.contacts;
  lists = seeded.lists;
});
afterAll(() => h.emu.close());

describe('fetching lists', () => {
  it('returns a list by id wrapped in { list } with size and processing fields', async () => {
    const res = await h.client.crm.lists.listsApi.getById(String(lists.Referrers));
    expectModel(res, 'crm/lists', 'ListFetchResponse');
    expect(res.list).toMatchObject({ listId: String(lists.Referrers), name: 'Referrers', objectTypeId: '0-1', processingType: 'MANUAL', processingStatus: 'COMPLETE', size: 3 });
  });

  it('answers 404 for a list that does not exist', async () => {
    const e = await rejection(() => h.client.crm.lists.listsApi.getById('9999'));
    expect(e.code).toBe(404);
    expectModel(e.body, 'crm/lists', 'ModelError');
  });

  it('searches lists by name and processing type with offset paging', async () => {
    const res = await h.client.crm.lists.listsApi.doSearch({ query: '', processingTypes: ['MANUAL', 'DYNAMIC'], offset: 0, count: 1 });
    expectModel(res, 'crm/lists', 'ListSearchResponse');
    expect(res).toMatchObject({ total: 2, offset: 1, hasMore: true });
    expect(res.lists[0].additionalProperties.hs_list_size).toBeDefined();
    const byName = await h.client.crm.lists.listsApi.doSearch({ query: 'frozen' });
    expect(byName.lists.map((l) => l.name)).toEqual(['Frozen']);
  });

  it('fetches several lists by id and one by name', async () => {
    const many = await h.client.crm.lists.listsApi.getAll([String(lists.Referrers), String(lists.Customers)]);
    expectModel(many, 'crm/lists', 'ListsByIdResponse');
    expect(many.lists).toHaveLength(2);
    const byName = await h.client.crm.lists.listsApi.getByName('Customers', '0-1');
    expect(byName.list.processingType).toBe('DYNAMIC');
  });
});

describe('memberships', () => {
  it('pages memberships ascending by record id with after cursors and a total', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await h.client.crm.lists.membershipsApi.getPage(String(lists.Customers), after, undefined, 1);
      expectModel(page, 'crm/lists', 'ApiCollectionResponseJoinTimeAndRecordId');
      expect(page.total).toBe(3);
      seen.push(...page.results.map((r) => r.recordId));
      after = page.paging?.next?.after;
    } while (after);
    expect(seen).toEqual([ids.c1, ids.c3, ids.c5].map(String));
  });

  it('pages backwards with before, newest ids first', async () => {
    const first = await h.client.crm.lists.membershipsApi.getPage(String(lists.Customers), undefined, undefined, 2);
    const next = await h.client.crm.lists.membershipsApi.getPage(String(lists.Customers), first.paging!.next!.after);
    expect(next.results.map((r) => r.recordId)).toEqual([String(ids.c5)]);
    const back = await h.client.crm.lists.membershipsApi.getPage(String(lists.Customers), undefined, next.paging!.prev!.before, 10);
    expect(back.results.map((r) => r.recordId)).toEqual([ids.c3, ids.c1].map(String));
  });

  it('pages by join order on /memberships/join-order', async () => {
    const res = await h.client.crm.lists.membershipsApi.getPageOrderedByAddedToListDate(String(lists.Referrers), undefined, undefined, 10);
    expectModel(res, 'crm/lists', 'ApiCollectionResponseJoinTimeAndRecordId');
    expect(res.results.map((r) => r.recordId)).toEqual([ids.c5, ids.c1, ids.c3].map(String));
  });

  it('refuses a page size over 250', async () => {
    expect((await rejection(() => h.client.crm.lists.membershipsApi.getPage(String(lists.Referrers), undefined, undefined, 251))).code).toBe(400);
  });

  it('lists the lists a record belongs to', async () => {
    const res = await h.client.crm.lists.membershipsApi.getLists('0-1', String(ids.c1));
    expectModel(res, 'crm/lists', 'ApiCollectionResponseRecordListMembershipNoPaging');
    expect(res.results.map((r) => r.listId).sort()).toEqual([String(lists.Referrers), String(lists.Customers)].sort());
  });

  it('adds and removes records on a manual list, reporting missing ids', async () => {
    const add = await h.client.crm.lists.membershipsApi.add(String(lists.Referrers), [String(ids.c0), '424242']);
    expectModel(add, 'crm/lists', 'MembershipsUpdateResponse');
    expect(add).toMatchObject({ recordsIdsAdded: [String(ids.c0)], recordIdsMissing: ['424242'] });
    const remove = await h.client.crm.lists.membershipsApi.remove(String(lists.Referrers), [String(ids.c0)]);
    expect(remove.recordIdsRemoved).toEqual([String(ids.c0)]);
    expect(h.emu.portal(h.portalId).list('Referrers')!.members).toEqual([ids.c1, ids.c3, ids.c5]);
  });

  it('refuses manual membership changes on a dynamic list', async () => {
    expect((await rejection(() => h.client.crm.lists.membershipsApi.add(String(lists.Customers), [String(ids.c0)]))).code).toBe(400);
  });
});

describe('list processing types', () => {
  it('keeps a dynamic list in step with contact data', async () => {
    h.emu.ui.updateContact(h.portalId, ids.c0, { lifecyclestage: 'customer' });
    expect(h.emu.portal(h.portalId).list('Customers')!.members).toContain(ids.c0);
    await h.client.crm.contacts.basicApi.update(String(ids.c1), { properties: { lifecyclestage: 'lead' } });
    const page = await h.client.crm.lists.membershipsApi.getPage(String(lists.Customers));
    expect(page.results.map((r) => Number(r.recordId))).toEqual([ids.c0, ids.c3, ids.c5]);
  });

  it('freezes a snapshot list at creation', async () => {
    const before = h.emu.portal(h.portalId).list('Frozen')!.members;
    h.emu.ui.createContact(h.portalId, { email: 'late-lead@lists.test', lifecyclestage: 'lead' });
    expect(h.emu.portal(h.portalId).list('Frozen')!.members).toEqual(before);
  });

  it('creates a dynamic list through the API from a filterBranch', async () => {
    const res = await h.client.crm.lists.listsApi.create({
      name: 'API leads', objectTypeId: '0-1', processingType: 'DYNAMIC',
      filterBranch: { filterBranchType: 'OR', filterBranches: [{ filterBranchType: 'AND', filterBranches: [], filters: [
        { filterType: 'PROPERTY', property: 'lifecyclestage', operation: { operationType: 'ENUMERATION', operator: 'IS_ANY_OF', values: ['lead'] } },
      ] }], filters: [] } as never,
    });
    expectModel(res, 'crm/lists', 'ListCreateResponse');
    expect(res.list.size).toBe(h.emu.portal(h.portalId).contacts.filter((c) => c.properties.lifecyclestage === 'lead').length);
  });

  it('drops deleted contacts from every list', async () => {
    h.emu.ui.deleteContact(h.portalId, ids.c3);
    const lists = await h.client.crm.lists.membershipsApi.getLists('0-1', String(ids.c3));
    expect(lists.results).toEqual([]);
  });
});

describe('big lists', () => {
  it('pages a 20,000-member list quickly', async () => {
    const big = await startHarness();
    try {
      const listId = big.emu.ui.createList(big.portalId, { name: 'Everyone' });
      big.emu.generateContacts(big.portalId, 20_000, { addToList: { listId } });
      const started = performance.now();
      let after: string | undefined;
      let count = 0;
      do {
        const page = await big.client.crm.lists.membershipsApi.getPage(String(listId), after, undefined, 250);
        count += page.results.length;
        after = page.paging?.next?.after;
      } while (after);
      expect(count).toBe(20_000);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await big.emu.close();
    }
  });
});
