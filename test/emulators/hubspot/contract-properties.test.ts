import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// Property definitions and groups through the SDK.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.emu.close());

const referralCode = {
  name: 'refcard_referral_code', label: 'Referral code', type: 'string', fieldType: 'text', groupName: 'refcard',
  description: 'Code of the referrer', formField: false, hasUniqueValue: false, hidden: false, displayOrder: -1,
};

describe('property groups', () => {
  it('creates a group with 201 and refuses a duplicate with 409', async () => {
    const g = await h.client.crm.properties.groupsApi.create('contacts', { name: 'refcard', label: 'Refcard' });
    expectModel(g, 'crm/properties', 'PropertyGroup');
    expect(g).toMatchObject({ name: 'refcard', label: 'Refcard', archived: false });
    const e = await rejection(() => h.client.crm.properties.groupsApi.create('contacts', { name: 'refcard', label: 'Again' }));
    expect(e.code).toBe(409);
    expect(e.body.category).toBe('OBJECT_ALREADY_EXISTS');
  });

  it('lists, reads and renames groups', async () => {
    const all = await h.client.crm.properties.groupsApi.getAll('contacts');
    expectModel(all, 'crm/properties', 'CollectionResponsePropertyGroupNoPaging');
    expect(all.results.map((g) => g.name)).toContain('contactinformation');
    const renamed = await h.client.crm.properties.groupsApi.update('contacts', 'refcard', { label: 'Referrals' });
    expect(renamed.label).toBe('Referrals');
    expect((await h.client.crm.properties.groupsApi.getByName('contacts', 'refcard')).label).toBe('Referrals');
  });

  it('refuses to delete a group that still holds properties, and deletes an empty one with 204', async () => {
    await h.client.crm.properties.groupsApi.create('contacts', { name: 'scratch', label: 'Scratch' });
    await h.client.crm.properties.coreApi.create('contacts', { ...referralCode, name: 'scratch_prop', groupName: 'scratch' } as never);
    expect((await rejection(() => h.client.crm.properties.groupsApi.archive('contacts', 'scratch'))).code).toBe(400);
    await h.client.crm.properties.coreApi.archive('contacts', 'scratch_prop');
    await h.client.crm.properties.groupsApi.archive('contacts', 'scratch');
    expect((await rejection(() => h.client.crm.properties.groupsApi.getByName('contacts', 'scratch'))).code).toBe(404);
  });
});

describe('properties', () => {
  it('seeds the HubSpot-defined contact and deal properties with their flags', async () => {
    const contacts = await h.client.crm.properties.coreApi.getAll('contacts');
    expectModel(contacts, 'crm/properties', 'CollectionResponsePropertyNoPaging');
    const email = contacts.results.find((p) => p.name === 'email')!;
    expect(email).toMatchObject({ hubspotDefined: true, formField: true, hidden: false, modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false } });
    const id = contacts.results.find((p) => p.name === 'hs_object_id')!;
    expect(id.modificationMetadata?.readOnlyValue).toBe(true);
    const dealstage = await h.client.crm.properties.coreApi.getByName('deals', 'dealstage');
    expectModel(dealstage, 'crm/properties', 'Property');
    expect(dealstage.options.map((o) => o.value)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
  });

  it('creates a custom property with 201 and the documented defaults', async () => {
    const p = await h.client.crm.properties.coreApi.create('contacts', referralCode as never);
    expectModel(p, 'crm/properties', 'Property');
    expect(p).toMatchObject({
      name: 'refcard_referral_code', hubspotDefined: false, calculated: false, externalOptions: false, archived: false, options: [],
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    });
  });

  it('refuses a duplicate property with 409 and HubSpot\'s message', async () => {
    const e = await rejection(() => h.client.crm.properties.coreApi.create('contacts', referralCode as never));
    expect(e.code).toBe(409);
    expect(e.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS', message: "Property named 'refcard_referral_code' already exists." });
  });

  it('refuses an unknown group and a type/fieldType pair that does not fit with 400', async () => {
    expect((await rejection(() => h.client.crm.properties.coreApi.create('contacts', { ...referralCode, name: 'x1', groupName: 'nope' } as never))).code).toBe(400);
    expect((await rejection(() => h.client.crm.properties.coreApi.create('contacts', { ...referralCode, name: 'x2', type: 'number', fieldType: 'select' } as never))).code).toBe(400);
  });

  it('makes a created property writable on records at once', async () => {
    const c = await h.client.crm.contacts.basicApi.create({ properties: { email: 'p@props.test', refcard_referral_code: 'ABC123' }, associations: [] });
    const read = await h.client.crm.contacts.basicApi.getById(c.id, ['refcard_referral_code']);
    expect(read.properties.refcard_referral_code).toBe('ABC123');
  });

  it('creates enumeration properties with options and validates values against them', async () => {
    const p = await h.client.crm.properties.coreApi.create('contacts', {
      name: 'refcard_status', label: 'Referral status', type: 'enumeration', fieldType: 'select', groupName: 'refcard',
      options: [{ label: 'Lead', value: 'lead', hidden: false, displayOrder: 0 }, { label: 'Qualified', value: 'qualified', hidden: false, displayOrder: 1 }],
    } as never);
    expect(p.options).toHaveLength(2);
    const c = await h.client.crm.contacts.basicApi.create({ properties: { email: 'q@props.test' }, associations: [] });
    expect((await rejection(() => h.client.crm.contacts.basicApi.update(c.id, { properties: { refcard_status: 'maybe' } }))).code).toBe(400);
    await h.client.crm.contacts.basicApi.update(c.id, { properties: { refcard_status: 'qualified' } });
  });

  it('updates a custom property and refuses to change a HubSpot-defined one', async () => {
    const p = await h.client.crm.properties.coreApi.update('contacts', 'refcard_referral_code', { label: 'Referral code (Refcard)' });
    expectModel(p, 'crm/properties', 'Property');
    expect(p.label).toBe('Referral code (Refcard)');
    expect((await rejection(() => h.client.crm.properties.coreApi.update('contacts', 'email', { label: 'E' }))).code).toBe(400);
  });

  it('archives a custom property with 204 (then it is unknown to writes) and refuses to archive email', async () => {
    await h.client.crm.properties.coreApi.create('contacts', { ...referralCode, name: 'temp_prop' } as never);
    await h.client.crm.properties.coreApi.archive('contacts', 'temp_prop');
    expect((await rejection(() => h.client.crm.properties.coreApi.getByName('contacts', 'temp_prop'))).code).toBe(404);
    expect((await h.client.crm.properties.coreApi.getByName('contacts', 'temp_prop', true)).archived).toBe(true);
    const c = await h.client.crm.contacts.basicApi.create({ properties: { email: 'r@props.test' }, associations: [] });
    expect((await rejection(() => h.client.crm.contacts.basicApi.update(c.id, { properties: { temp_prop: 'x' } }))).code).toBe(400);
    expect((await rejection(() => h.client.crm.properties.coreApi.archive('contacts', 'email'))).code).toBe(400);
  });

  it('creates properties in a batch with 201, or 207 listing the ones that already exist', async () => {
    const fresh = await h.client.crm.properties.batchApi.create('deals', { inputs: [
      { name: 'refcard_referrer_id', label: 'Referrer', type: 'string', fieldType: 'text', groupName: 'dealinformation' } as never,
    ] });
    expectModel(fresh, 'crm/properties', 'BatchResponseProperty');
    const mixed = await h.client.crm.properties.batchApi.create('deals', { inputs: [
      { name: 'refcard_referrer_id', label: 'Referrer', type: 'string', fieldType: 'text', groupName: 'dealinformation' } as never,
      { name: 'refcard_reward', label: 'Reward', type: 'number', fieldType: 'number', groupName: 'dealinformation' } as never,
    ] });
    expectModel(mixed, 'crm/properties', 'BatchResponsePropertyWithErrors');
    expect(mixed.results.map((p) => p.name)).toEqual(['refcard_reward']);
    expect((mixed as { errors?: { category: string }[] }).errors?.[0].category).toBe('OBJECT_ALREADY_EXISTS');
  });

  it('reads properties in a batch', async () => {
    const res = await h.client.crm.properties.batchApi.read('contacts', { archived: false, inputs: [{ name: 'email' }, { name: 'firstname' }] });
    expectModel(res, 'crm/properties', 'BatchResponseProperty');
    expect(res.results.map((p) => p.name).sort()).toEqual(['email', 'firstname']);
  });
});
