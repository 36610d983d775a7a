import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// CRM search through the SDK: filterGroups semantics, every operator, sorting, paging, caps.

let h: Harness;
const T0 = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  h = await startHarness();
  h.emu.seedPortal(h.portalId, {
    contacts: [
      { key: 'ann', properties: { email: 'ann@alpha.test', firstname: 'Ann', lifecyclestage: 'lead', company: 'Alpha Corp' }, createdAt: T0 },
      { key: 'bob', properties: { email: 'bob@beta.test', firstname: 'Bob', lifecyclestage: 'customer', phone: '+1 555' }, createdAt: T0 + 1000 },
      { key: 'cy', properties: { email: 'cy@alpha.test', firstname: 'Cy', lifecyclestage: 'customer' }, createdAt: T0 + 2000 },
      { key: 'dee', properties: { email: 'dee@gamma.test', lifecyclestage: 'opportunity' }, createdAt: T0 + 3000 },
    ],
    deals: [
      { key: 'd1', properties: { dealname: 'Small', amount: '100' } },
      { key: 'd2', properties: { dealname: 'Large', amount: '5000', dealstage: 'closedwon' } },
    ],
  });
});
afterAll(() => h.emu.close());

async function emails(req: Partial<PublicObjectSearchRequest>): Promise<string[]> {
  const res = await h.client.crm.contacts.searchApi.doSearch({ limit: 100, ...req, properties: ['email', ...(req.properties ?? [])] } as PublicObjectSearchRequest);
  expectModel(res, 'crm/contacts', 'CollectionResponseWithTotalSimplePublicObjectForwardPaging');
  return res.results.map((r) => r.properties.email!).sort();
}
const where = (propertyName: string, operator: string, extra: Record<string, unknown> = {}) =>
  ({ filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }] }) as unknown as Partial<PublicObjectSearchRequest>;

describe('search filters', () => {
  it('matches EQ case-insensitively on strings', async () => {
    expect(await emails(where('email', 'EQ', { value: 'ANN@alpha.test' }))).toEqual(['ann@alpha.test']);
  });

  it('treats NEQ as "not equal or not set"', async () => {
    expect(await emails(where('lifecyclestage', 'NEQ', { value: 'customer' }))).toEqual(['ann@alpha.test', 'dee@gamma.test']);
  });

  it('compares datetimes numerically with LT, LTE, GT and GTE (ms or ISO operands)', async () => {
    expect(await emails(where('createdate', 'LT', { value: String(T0 + 1000) }))).toEqual(['ann@alpha.test']);
    expect(await emails(where('createdate', 'LTE', { value: new Date(T0 + 1000).toISOString() }))).toEqual(['ann@alpha.test', 'bob@beta.test']);
    expect(await emails(where('createdate', 'GT', { value: String(T0 + 2000) }))).toEqual(['dee@gamma.test']);
    expect(await emails(where('createdate', 'GTE', { value: String(T0 + 2000) }))).toEqual(['cy@alpha.test', 'dee@gamma.test']);
  });

  it('includes both ends with BETWEEN', async () => {
    expect(await emails(where('createdate', 'BETWEEN', { value: String(T0 + 1000), highValue: String(T0 + 2000) }))).toEqual(['bob@beta.test', 'cy@alpha.test']);
  });

  it('matches IN and NOT_IN against a list of values', async () => {
    expect(await emails(where('lifecyclestage', 'IN', { values: ['lead', 'opportunity'] }))).toEqual(['ann@alpha.test', 'dee@gamma.test']);
    expect(await emails(where('lifecyclestage', 'NOT_IN', { values: ['lead', 'opportunity'] }))).toEqual(['bob@beta.test', 'cy@alpha.test']);
  });

  it('checks presence with HAS_PROPERTY and NOT_HAS_PROPERTY', async () => {
    expect(await emails(where('phone', 'HAS_PROPERTY'))).toEqual(['bob@beta.test']);
    expect(await emails(where('firstname', 'NOT_HAS_PROPERTY'))).toEqual(['dee@gamma.test']);
  });

  it('matches whole tokens and wildcards with CONTAINS_TOKEN, and the rest with NOT_CONTAINS_TOKEN', async () => {
    expect(await emails(where('email', 'CONTAINS_TOKEN', { value: 'alpha.test' }))).toEqual(['ann@alpha.test', 'cy@alpha.test']);
    expect(await emails(where('email', 'CONTAINS_TOKEN', { value: '*@beta.test' }))).toEqual(['bob@beta.test']);
    expect(await emails(where('company', 'CONTAINS_TOKEN', { value: 'corp' }))).toEqual(['ann@alpha.test']);
    expect(await emails(where('email', 'NOT_CONTAINS_TOKEN', { value: 'alpha.test' }))).toEqual(['bob@beta.test', 'dee@gamma.test']);
  });

  it('ANDs filters within a group and ORs the groups', async () => {
    const res = await emails({
      filterGroups: [
        { filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }, { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: 'alpha.test' }] },
        { filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }] },
      ],
    } as unknown as Partial<PublicObjectSearchRequest>);
    expect(res).toEqual(['ann@alpha.test', 'cy@alpha.test']);
  });

  it('searches deals numerically on amount', async () => {
    const res = await h.client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'GT' as never, value: '999' }] }], properties: ['dealname'], limit: 10 } as never);
    expectModel(res, 'crm/deals', 'CollectionResponseWithTotalSimplePublicObjectForwardPaging');
    expect(res.results.map((r) => r.properties.dealname)).toEqual(['Large']);
    expect(res.results[0].properties).toHaveProperty('hs_lastmodifieddate');
  });

  it('matches the free-text query against the default searchable properties', async () => {
    expect(await emails({ query: 'alpha corp' })).toEqual(['ann@alpha.test']);
  });
});

describe('search sorting, paging and limits', () => {
  it('sorts by one property in either direction, nulls last', async () => {
    const asc = await h.client.crm.contacts.searchApi.doSearch({ sorts: [{ propertyName: 'firstname', direction: 'ASCENDING' }] as never, properties: ['firstname'], limit: 10 } as never);
    expect(asc.results.map((r) => r.properties.firstname)).toEqual(['Ann', 'Bob', 'Cy', null]);
    const desc = await h.client.crm.contacts.searchApi.doSearch({ sorts: ['-createdate'], properties: ['email'], limit: 1 } as never);
    expect(desc.results[0].properties.email).toBe('dee@gamma.test');
  });

  it('pages with after and reports the total', async () => {
    const first = await h.client.crm.contacts.searchApi.doSearch({ limit: 3, properties: ['email'] } as never);
    expect(first.total).toBe(4);
    expect(first.paging?.next?.after).toBe('3');
    const second = await h.client.crm.contacts.searchApi.doSearch({ limit: 3, after: first.paging!.next!.after, properties: ['email'] } as never);
    expect(second.results).toHaveLength(1);
    expect(second.paging).toBeUndefined();
  });

  it('refuses a limit over 200', async () => {
    const e = await rejection(() => h.client.crm.contacts.searchApi.doSearch({ limit: 201 } as never));
    expect(e.code).toBe(400);
    expect(e.body.category).toBe('VALIDATION_ERROR');
  });

  it('refuses more than 5 filter groups, 10 filters per group or 25 filters in all', async () => {
    const f = { propertyName: 'email', operator: 'HAS_PROPERTY' };
    const groups = (n: number, per: number) => ({ filterGroups: Array.from({ length: n }, () => ({ filters: Array.from({ length: per }, () => f) })) });
    expect((await rejection(() => h.client.crm.contacts.searchApi.doSearch(groups(6, 1) as never))).code).toBe(400);
    expect((await rejection(() => h.client.crm.contacts.searchApi.doSearch(groups(1, 11) as never))).code).toBe(400);
    expect((await rejection(() => h.client.crm.contacts.searchApi.doSearch(groups(5, 6) as never))).code).toBe(400);
    const ok = await h.client.crm.contacts.searchApi.doSearch(groups(5, 5) as never);
    expect(ok.total).toBe(4);
  });

  it('refuses a filter on a property the portal does not have', async () => {
    const e = await rejection(() => h.client.crm.contacts.searchApi.doSearch(where('referral_code', 'EQ', { value: 'x' }) as never));
    expect(e.code).toBe(400);
  });

  it('allows only one sort', async () => {
    const e = await rejection(() => h.client.crm.contacts.searchApi.doSearch({ sorts: ['email', 'firstname'] } as never));
    expect(e.code).toBe(400);
  });
});

describe('the 10,000-result cap', () => {
  it('offers paging up to 10,000 and answers 400 beyond it', async () => {
    const big = await startHarness();
    try {
      big.emu.generateContacts(big.portalId, 10_050);
      const near = await big.client.crm.contacts.searchApi.doSearch({ limit: 100, after: '9900' } as never);
      expect(near.total).toBe(10_050);
      expect(near.results).toHaveLength(100);
      expect(near.paging?.next?.after).toBe('10000');
      const e = await rejection(() => big.client.crm.contacts.searchApi.doSearch({ limit: 100, after: '10000' } as never));
      expect(e.code).toBe(400);
      expectModel(e.body, 'crm/contacts', 'ModelError');
    } finally {
      await big.emu.close();
    }
  });
});

describe('search index lag', () => {
  it('hides writes newer than the configured lag from search, but not from reads', async () => {
    const lagged = await startHarness({ searchIndexLagMs: 60_000 });
    try {
      const id = lagged.emu.ui.createContact(lagged.portalId, { email: 'new@lag.test' });
      const before = await lagged.client.crm.contacts.searchApi.doSearch({ limit: 10 } as never);
      expect(before.total).toBe(0);
      expect((await lagged.client.crm.contacts.basicApi.getById(String(id))).id).toBe(String(id));
      lagged.emu.advanceClock(61_000);
      lagged.emu.ui.updateContact(lagged.portalId, id, { firstname: 'Late' });
      const after = await lagged.client.crm.contacts.searchApi.doSearch({ limit: 10, properties: ['firstname'] } as never);
      expect(after.total).toBe(1);
      expect(after.results[0].properties.firstname).toBeNull();
    } finally {
      await lagged.emu.close();
    }
  });
});
