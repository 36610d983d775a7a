import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// The remaining endpoints through the SDK: list maintenance, batch associations, property batch
// archive, GDPR delete, single stages and owners by user id.

let h: Harness;
let c: Record<string, number>;
let d: Record<string, number>;
let l: Record<string, number>;

beforeAll(async () => {
  h = await startHarness();
  const s = h.emu.seedPortal(h.portalId, {
    contacts: ['a', 'b', 'c'].map((k) => ({ key: k, properties: { email: `${k}@more.test`, lifecyclestage: k === 'a' ? 'customer' : 'lead' } })),
    deals: [{ key: 'x', properties: { dealname: 'X' } }, { key: 'y', properties: { dealname: 'Y' } }],
    lists: [{ name: 'One', members: ['a'] }, { name: 'Two', members: ['b', 'c'] }, { name: 'Dyn', where: { lifecyclestage: 'customer' } }],
  });
  c = s.contacts;
  d = s.deals;
  l = s.lists;
});
afterAll(() => h.emu.close());

describe('list maintenance', () => {
  it('renames a list', async () => {
    const res = await h.client.crm.lists.listsApi.updateName(String(l.One), 'First');
    expectModel(res, 'crm/lists', 'ListUpdateResponse');
    expect(res.updatedList?.name).toBe('First');
  });

  it('deletes (204) and restores a list', async () => {
    await h.client.crm.lists.listsApi.remove(String(l.Two));
    expect((await rejection(() => h.client.crm.lists.listsApi.getById(String(l.Two)))).code).toBe(404);
    await h.client.crm.lists.listsApi.restore(String(l.Two));
    expect((await h.client.crm.lists.listsApi.getById(String(l.Two))).list.size).toBe(2);
  });

  it('adds and removes in one call, copies another list and empties a list', async () => {
    const res = await h.client.crm.lists.membershipsApi.addAndRemove(String(l.One), { recordIdsToAdd: [String(c.b)], recordIdsToRemove: [String(c.a)] });
    expectModel(res, 'crm/lists', 'MembershipsUpdateResponse');
    expect(res).toMatchObject({ recordsIdsAdded: [String(c.b)], recordIdsRemoved: [String(c.a)] });
    await h.client.crm.lists.membershipsApi.addAllFromList(String(l.One), String(l.Two));
    expect(h.emu.portal(h.portalId).list(l.One)!.members).toEqual([c.b, c.c]);
    await h.client.crm.lists.membershipsApi.removeAll(String(l.One));
    expect(h.emu.portal(h.portalId).list(l.One)!.size).toBe(0);
  });

  it('replaces a dynamic list\'s filters, bumping listVersion and recomputing members', async () => {
    const res = await h.client.crm.lists.listsApi.updateListFilters(String(l.Dyn), {
      filterBranch: { filterBranchType: 'OR', filterBranches: [{ filterBranchType: 'AND', filterBranches: [], filters: [
        { filterType: 'PROPERTY', property: 'lifecyclestage', operation: { operationType: 'STRING', operator: 'IS_EQUAL_TO', value: 'lead', includeObjectsWithNoValueSet: false } },
      ] }], filters: [] } as never,
    });
    expect(res.updatedList).toMatchObject({ listVersion: 2, size: 2 });
  });
});

describe('batch associations', () => {
  it('creates with types (201), associates by default and archives', async () => {
    const created = await h.client.crm.associations.v4.batchApi.create('deals', 'contacts', { inputs: [
      { _from: { id: String(d.x) }, to: { id: String(c.a) }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 3 }] },
    ] });
    expectModel(created, 'crm/associations/v4', 'BatchResponseLabelsBetweenObjectPair');
    const def = await h.client.crm.associations.v4.batchApi.createDefault('contacts', 'deals', { inputs: [{ _from: { id: String(c.b) }, to: { id: String(d.x) } }] });
    expectModel(def, 'crm/associations/v4', 'BatchResponsePublicDefaultAssociation');
    expect(h.emu.portal(h.portalId).contactsOfDeal(d.x)).toEqual([c.a, c.b]);
    await h.client.crm.associations.v4.batchApi.archive('deals', 'contacts', { inputs: [{ _from: { id: String(d.x) }, to: [{ id: String(c.a) }] }] });
    expect(h.emu.portal(h.portalId).contactsOfDeal(d.x)).toEqual([c.b]);
  });
});

describe('other endpoints', () => {
  it('archives properties in a batch', async () => {
    await h.client.crm.properties.coreApi.create('deals', { name: 'gone_soon', label: 'Gone', type: 'string', fieldType: 'text', groupName: 'dealinformation' } as never);
    await h.client.crm.properties.batchApi.archive('deals', { inputs: [{ name: 'gone_soon' }] });
    expect((await rejection(() => h.client.crm.properties.coreApi.getByName('deals', 'gone_soon'))).code).toBe(404);
  });

  it('GDPR-deletes a contact by email', async () => {
    await h.client.crm.contacts.basicApi.purge({ objectId: 'c@more.test', idProperty: 'email' });
    expect(h.emu.portal(h.portalId).contact(c.c)).toBeUndefined();
    expect((await rejection(() => h.client.crm.contacts.basicApi.getById(String(c.c)))).code).toBe(404);
  });

  it('reads a single pipeline stage', async () => {
    const s = await h.client.crm.pipelines.pipelineStagesApi.getById('deals', 'default', 'closedwon');
    expectModel(s, 'crm/pipelines', 'PipelineStage');
    expect(s.label).toBe('Closed Won');
  });

  it('reads an owner by user id', async () => {
    const user = h.emu.portal(h.portalId).users[0];
    const o = await h.client.crm.owners.ownersApi.getById(user.id, 'userId');
    expectModel(o, 'crm/owners', 'PublicOwner');
    expect(o.email).toBe(user.email);
  });

  it('reads deals in a batch', async () => {
    const res = await h.client.crm.deals.batchApi.read({ inputs: [{ id: String(d.x) }, { id: String(d.y) }], properties: ['dealname'], propertiesWithHistory: ['dealname'] });
    expectModel(res, 'crm/deals', 'BatchResponseSimplePublicObject');
    expect(res.results[0].propertiesWithHistory?.dealname[0].value).toBe('X');
  });
});
