import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssociationTypes } from '@hubspot/api-client';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// Associations v4, pipelines and owners through the SDK.

let h: Harness;
let c: Record<string, number>;
let d: Record<string, number>;

beforeAll(async () => {
  h = await startHarness();
  const s = h.emu.seedPortal(h.portalId, {
    users: [{ email: 'rep@assoc.test', firstName: 'Rita', lastName: 'Rep' }],
    pipelines: [{ id: '8001', label: 'Partner pipeline', stages: [{ id: '9001', label: 'Intro' }, { id: '9002', label: 'Won', probability: 1, isClosed: true }] }],
    contacts: [{ key: 'a', properties: { email: 'a@assoc.test' } }, { key: 'b', properties: { email: 'b@assoc.test' } }, { key: 'loner', properties: { email: 'l@assoc.test' } }],
    deals: [
      { key: 'deal', properties: { dealname: 'Joint', dealstage: 'contractsent' }, contacts: ['a', 'b'] },
      { key: 'partner', properties: { dealname: 'Partner', pipeline: '8001', dealstage: '9001' }, contacts: ['a'] },
    ],
  });
  c = s.contacts;
  d = s.deals;
});
afterAll(() => h.emu.close());

describe('associations v4', () => {
  it('pages a deal\'s contacts with typeId 3 and numeric toObjectIds', async () => {
    const res = await h.client.crm.associations.v4.basicApi.getPage('deals', String(d.deal), 'contacts', undefined, 500);
    expectModel(res, 'crm/associations/v4', 'CollectionResponseMultiAssociatedObjectWithLabelForwardPaging');
    expect(res.results).toEqual([
      { toObjectId: c.a, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: AssociationTypes.dealToContact, label: null }] },
      { toObjectId: c.b, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: AssociationTypes.dealToContact, label: null }] },
    ]);
  });

  it('pages with after when there are more than `limit`', async () => {
    const first = await h.client.crm.associations.v4.basicApi.getPage('deals', String(d.deal), 'contacts', undefined, 1);
    expect(first.paging?.next?.after).toBeDefined();
    const second = await h.client.crm.associations.v4.basicApi.getPage('deals', String(d.deal), 'contacts', first.paging!.next!.after, 1);
    expect(second.results.map((r) => r.toObjectId)).toEqual([c.b]);
    expect(second.paging).toBeUndefined();
  });

  it('answers from the contact side with typeId 4', async () => {
    const res = await h.client.crm.associations.v4.basicApi.getPage('contact', String(c.a), 'deal');
    expect(res.results.map((r) => [r.toObjectId, r.associationTypes[0].typeId])).toEqual([[d.deal, 4], [d.partner, 4]]);
  });

  it('reads in a batch (the SDK maps `from` to `_from`) and reports inputs without associations as errors in a 207', async () => {
    const res = await h.client.crm.associations.v4.batchApi.getPage('contacts', 'deals', { inputs: [{ id: String(c.a) }, { id: String(c.loner) }] });
    expectModel(res, 'crm/associations/v4', 'BatchResponsePublicAssociationMultiWithLabelWithErrors');
    expect(res.results).toHaveLength(1);
    expect(res.results[0]._from.id).toBe(String(c.a));
    expect(res.results[0].to.map((t) => t.toObjectId)).toEqual([d.deal, d.partner]);
    expect((res as { numErrors?: number }).numErrors).toBe(1);
  });

  it('reads a batch with 200 when every input has associations', async () => {
    const res = await h.client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs: [{ id: String(d.deal) }] });
    expectModel(res, 'crm/associations/v4', 'BatchResponsePublicAssociationMultiWithLabel');
  });

  it('creates with an explicit type (201), by default (200) and archives (204)', async () => {
    const created = await h.client.crm.associations.v4.basicApi.create('deals', String(d.partner), 'contacts', String(c.b), [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 3 }]);
    expectModel(created, 'crm/associations/v4', 'LabelsBetweenObjectPair');
    expect(h.emu.portal(h.portalId).contactsOfDeal(d.partner)).toEqual([c.a, c.b]);
    await h.client.crm.associations.v4.basicApi.archive('deals', String(d.partner), 'contacts', String(c.b));
    const def = await h.client.crm.associations.v4.basicApi.createDefault('contacts', String(c.loner), 'deals', String(d.partner));
    expectModel(def, 'crm/associations/v4', 'BatchResponsePublicDefaultAssociation');
    expect(h.emu.portal(h.portalId).dealsOfContact(c.loner)).toEqual([d.partner]);
  });

  it('refuses a type id that does not connect the two object types', async () => {
    const e = await rejection(() => h.client.crm.associations.v4.basicApi.create('deals', String(d.deal), 'contacts', String(c.loner), [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 4 }]));
    expect(e.code).toBe(400);
  });
});

describe('pipelines', () => {
  it('lists deal pipelines with the default sales pipeline and its standard stage ids', async () => {
    const res = await h.client.crm.pipelines.pipelinesApi.getAll('deals');
    expectModel(res, 'crm/pipelines', 'CollectionResponsePipelineNoPaging');
    const sales = res.results.find((p) => p.id === 'default')!;
    expect(sales.stages.map((s) => s.id)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
    expect(sales.stages.find((s) => s.id === 'closedwon')!.metadata).toEqual({ isClosed: 'true', probability: '1' });
    expect(res.results.map((p) => p.id)).toContain('8001');
  });

  it('lists the stages of one pipeline and 404s an unknown one', async () => {
    const res = await h.client.crm.pipelines.pipelineStagesApi.getAll('deals', '8001');
    expectModel(res, 'crm/pipelines', 'CollectionResponsePipelineStageNoPaging');
    expect(res.results.map((s) => s.id)).toEqual(['9001', '9002']);
    expect((await rejection(() => h.client.crm.pipelines.pipelineStagesApi.getAll('deals', 'nope'))).code).toBe(404);
    expectModel(await h.client.crm.pipelines.pipelinesApi.getById('deals', 'default'), 'crm/pipelines', 'Pipeline');
  });

  it('validates a custom pipeline\'s numeric stage ids on deals', async () => {
    await h.client.crm.deals.basicApi.update(String(d.partner), { properties: { dealstage: '9002' } });
    expect((await rejection(() => h.client.crm.deals.basicApi.update(String(d.partner), { properties: { dealstage: 'closedwon' } }))).code).toBe(400);
  });
});

describe('owners', () => {
  it('lists owners (one per user) and filters by email', async () => {
    const all = await h.client.crm.owners.ownersApi.getPage();
    expectModel(all, 'crm/owners', 'CollectionResponsePublicOwnerForwardPaging');
    expect(all.results.map((o) => o.email)).toContain('rep@assoc.test');
    const one = await h.client.crm.owners.ownersApi.getPage('rep@assoc.test');
    expect(one.results).toHaveLength(1);
    const byId = await h.client.crm.owners.ownersApi.getById(Number(one.results[0].id));
    expectModel(byId, 'crm/owners', 'PublicOwner');
    expect(byId).toMatchObject({ firstName: 'Rita', lastName: 'Rep', type: 'PERSON' });
  });
});
