import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectModel } from './test-support/sdk-models.ts';
import { rejection, startHarness, type Harness } from './test-support/setup.ts';

// Contacts and deals through the real @hubspot/api-client, checked against its generated models.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.emu.close());

describe('contacts basic API', () => {
  it('creates a contact with 201 and returns it as a SimplePublicObject', async () => {
    const c = await h.client.crm.contacts.basicApi.create({ properties: { email: 'ana@acme.test', firstname: 'Ana' }, associations: [] });
    expectModel(c, 'crm/contacts', 'SimplePublicObject');
    expect(c.properties).toMatchObject({ email: 'ana@acme.test', firstname: 'Ana', hs_object_id: c.id });
    expect(h.emu.requestLog.entries({ path: '/crm/v3/objects/contacts', method: 'POST' }).at(-1)?.status).toBe(201);
  });

  it('reads a contact by id with the requested properties plus the always-present ones', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'ben@acme.test', lifecyclestage: 'lead' });
    const c = await h.client.crm.contacts.basicApi.getById(String(id), ['lifecyclestage', 'phone']);
    expectModel(c, 'crm/contacts', 'SimplePublicObjectWithAssociations');
    expect(Object.keys(c.properties).sort()).toEqual(['createdate', 'hs_object_id', 'lastmodifieddate', 'lifecyclestage', 'phone']);
    expect(c.properties.phone).toBeNull();
  });

  it('reads a contact by email with idProperty=email, case-insensitively', async () => {
    h.emu.ui.createContact(h.portalId, { email: 'Cleo@Acme.test' });
    const c = await h.client.crm.contacts.basicApi.getById('cleo@acme.test', ['email'], undefined, undefined, false, 'email');
    expect(c.properties.email).toBe('Cleo@Acme.test');
  });

  it('accepts comma-joined properties the way hand-written URLs send them', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'dev@acme.test', firstname: 'Dev' });
    const res = await h.client.apiRequest({ method: 'GET', path: `/crm/v3/objects/contacts/${id}`, qs: { properties: 'email,firstname' } });
    const body = await res.json();
    expect(body.properties).toMatchObject({ email: 'dev@acme.test', firstname: 'Dev' });
  });

  it('answers an unknown id with a 404 OBJECT_NOT_FOUND error body', async () => {
    const e = await rejection(() => h.client.crm.contacts.basicApi.getById('999999'));
    expect(e.code).toBe(404);
    expectModel(e.body, 'crm/contacts', 'ModelError');
    expect(e.body.category).toBe('OBJECT_NOT_FOUND');
  });

  it('pages through contacts with paging.next.after and no paging on the last page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.crm.contacts.basicApi.getPage(2, after, ['email']);
      expectModel(page, 'crm/contacts', 'CollectionResponseSimplePublicObjectWithAssociationsForwardPaging');
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      if (after) expect(page.paging?.next?.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => Number(a) - Number(b)));
    expect(seen.length).toBe(h.emu.portal(h.portalId).contactCount);
  });

  it('refuses a page size over 100', async () => {
    const e = await rejection(() => h.client.crm.contacts.basicApi.getPage(101));
    expect(e.code).toBe(400);
  });

  it('updates properties, bumps lastmodifieddate and rejects unknown properties with PROPERTY_DOESNT_EXIST', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'eli@acme.test' });
    const before = h.emu.portal(h.portalId).contact(id)!.updatedAt;
    h.emu.advanceClock(1000);
    const c = await h.client.crm.contacts.basicApi.update(String(id), { properties: { firstname: 'Eli' } });
    expectModel(c, 'crm/contacts', 'SimplePublicObject');
    expect(c.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    const e = await rejection(() => h.client.crm.contacts.basicApi.update(String(id), { properties: { firstname: 'X', no_such_prop: '1' } }));
    expect(e.code).toBe(400);
    expect(e.body.category).toBe('VALIDATION_ERROR');
    expect(e.body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect(h.emu.portal(h.portalId).contact(id)!.properties.firstname).toBe('Eli');
  });

  it('refuses a value that breaks an admin’s "only letters" rule with INVALID_ALPHA, in HubSpot’s message format', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'hal@acme.test', city: 'Berlin' });
    h.emu.ui.requireLettersOnly(h.portalId, 'contacts', 'city');
    const e = await rejection(() => h.client.crm.contacts.basicApi.update(String(id), { properties: { city: 'Berlin 2', firstname: 'Gus' } }));
    expect(e.code).toBe(400);
    expect(e.body.category).toBe('VALIDATION_ERROR');
    expect(e.body.message).toContain('"error":"INVALID_ALPHA","name":"city"');
    expect(h.emu.portal(h.portalId).contact(id)!.properties).toMatchObject({ city: 'Berlin' });
    await h.client.crm.contacts.basicApi.update(String(id), { properties: { city: 'München' } });
    expect(h.emu.portal(h.portalId).contact(id)!.properties.city).toBe('München');
  });

  it('validates values against the property type (enumeration options, numbers, emails)', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'fay@acme.test' });
    const bad = await rejection(() => h.client.crm.contacts.basicApi.update(String(id), { properties: { lifecyclestage: 'bogus' } }));
    expect(bad.body.message).toContain('INVALID_OPTION');
    const email = await rejection(() => h.client.crm.contacts.basicApi.create({ properties: { email: 'not-an-email' }, associations: [] }));
    expect(email.body.message).toContain('INVALID_EMAIL');
  });

  it('refuses a second contact with the same email with 409 CONFLICT naming the existing id', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'gus@acme.test' });
    const e = await rejection(() => h.client.crm.contacts.basicApi.create({ properties: { email: 'GUS@acme.test' }, associations: [] }));
    expect(e.code).toBe(409);
    expect(e.body.message).toBe(`Contact already exists. Existing ID: ${id}`);
  });

  it('archives with 204 and then answers 404, unless archived=true is asked for', async () => {
    const id = String(h.emu.ui.createContact(h.portalId, { email: 'hana@acme.test' }));
    await h.client.crm.contacts.basicApi.archive(id);
    expect((await rejection(() => h.client.crm.contacts.basicApi.getById(id))).code).toBe(404);
    const archived = await h.client.crm.contacts.basicApi.getById(id, undefined, undefined, undefined, true);
    expectModel(archived, 'crm/contacts', 'SimplePublicObjectWithAssociations');
    expect(archived.archived).toBe(true);
    expect(archived.archivedAt).toBeInstanceOf(Date);
  });

  it('merges two contacts: the merged id then resolves to the primary', async () => {
    const a = h.emu.ui.createContact(h.portalId, { email: 'ivo@acme.test', firstname: 'Ivo' });
    const b = h.emu.ui.createContact(h.portalId, { email: 'ivo2@acme.test', phone: '+100' });
    const merged = await h.client.crm.contacts.basicApi.merge({ primaryObjectId: String(a), objectIdToMerge: String(b) });
    expectModel(merged, 'crm/contacts', 'SimplePublicObject');
    const viaOld = await h.client.crm.contacts.basicApi.getById(String(b), ['phone', 'hs_merged_object_ids']);
    expect(viaOld.id).toBe(String(a));
    expect(viaOld.properties).toMatchObject({ phone: '+100', hs_merged_object_ids: String(b) });
  });
});

describe('contacts batch API', () => {
  it('reads a batch with 200 when every id exists', async () => {
    const ids = [h.emu.ui.createContact(h.portalId, { email: 'b1@acme.test' }), h.emu.ui.createContact(h.portalId, { email: 'b2@acme.test' })];
    const res = await h.client.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id: String(id) })), properties: ['email'], propertiesWithHistory: [] });
    expectModel(res, 'crm/contacts', 'BatchResponseSimplePublicObject');
    expect(res.results.map((r) => r.properties.email).sort()).toEqual(['b1@acme.test', 'b2@acme.test']);
  });

  it('answers 207 with numErrors and the missing ids when some do not exist', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'b3@acme.test' });
    const res = await h.client.crm.contacts.batchApi.read({ inputs: [{ id: String(id) }, { id: '424242' }], properties: [], propertiesWithHistory: [] });
    expectModel(res, 'crm/contacts', 'BatchResponseSimplePublicObjectWithErrors');
    expect(res).toMatchObject({ numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['424242'] } }] });
  });

  it('reads by email with idProperty', async () => {
    h.emu.ui.createContact(h.portalId, { email: 'b4@acme.test' });
    const res = await h.client.crm.contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: 'b4@acme.test' }], properties: ['email'], propertiesWithHistory: [] });
    expect(res.results[0].properties.email).toBe('b4@acme.test');
  });

  it('refuses more than 100 inputs with 400', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
    const e = await rejection(() => h.client.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }));
    expect(e.code).toBe(400);
  });

  it('creates a batch with 201', async () => {
    const res = await h.client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'c1@acme.test' }, associations: [] }, { properties: { email: 'c2@acme.test' }, associations: [] }] });
    expectModel(res, 'crm/contacts', 'BatchResponseSimplePublicObject');
    expect(res.results).toHaveLength(2);
  });

  it('fails a whole batch update with 400 when one input names an undefined property', async () => {
    const a = h.emu.ui.createContact(h.portalId, { email: 'u1@acme.test' });
    const b = h.emu.ui.createContact(h.portalId, { email: 'u2@acme.test' });
    const e = await rejection(() => h.client.crm.contacts.batchApi.update({ inputs: [
      { id: String(a), properties: { firstname: 'Ok' } },
      { id: String(b), properties: { referral_code_typo: 'X' } },
    ] }));
    expect(e.code).toBe(400);
    expect(h.emu.portal(h.portalId).contact(a)!.properties.firstname).toBeUndefined();
  });

  it('updates a batch with 200, or 207 when some ids are missing', async () => {
    const a = h.emu.ui.createContact(h.portalId, { email: 'u3@acme.test' });
    const ok = await h.client.crm.contacts.batchApi.update({ inputs: [{ id: String(a), properties: { firstname: 'Upd' } }] });
    expectModel(ok, 'crm/contacts', 'BatchResponseSimplePublicObject');
    const partial = await h.client.crm.contacts.batchApi.update({ inputs: [{ id: String(a), properties: { lastname: 'L' } }, { id: '777777', properties: { lastname: 'L' } }] });
    expectModel(partial, 'crm/contacts', 'BatchResponseSimplePublicObjectWithErrors');
    expect((partial as { numErrors?: number }).numErrors).toBe(1);
  });

  it('upserts by email: existing contacts are updated, new ones created, and `new` says which', async () => {
    h.emu.ui.createContact(h.portalId, { email: 'up1@acme.test', firstname: 'Old' });
    const res = await h.client.crm.contacts.batchApi.upsert({ inputs: [
      { id: 'up1@acme.test', idProperty: 'email', properties: { firstname: 'New' } },
      { id: 'up2@acme.test', idProperty: 'email', properties: { firstname: 'Fresh' } },
    ] });
    expectModel(res, 'crm/contacts', 'BatchResponseSimplePublicUpsertObject');
    const byEmail = Object.fromEntries(res.results.map((r) => [r.properties.email, r._new]));
    expect(byEmail).toEqual({ 'up1@acme.test': false, 'up2@acme.test': true });
    expect(h.emu.portal(h.portalId).contact('up1@acme.test')!.properties.firstname).toBe('New');
  });

  it('archives a batch with 204', async () => {
    const a = h.emu.ui.createContact(h.portalId, { email: 'arch@acme.test' });
    await h.client.crm.contacts.batchApi.archive({ inputs: [{ id: String(a) }, { id: '31337' }] });
    expect(h.emu.portal(h.portalId).contact(a)).toBeUndefined();
  });
});

describe('deals', () => {
  it('creates a deal in the default pipeline with a contact association and reads it back with associations', async () => {
    const contact = h.emu.ui.createContact(h.portalId, { email: 'deal-buyer@acme.test' });
    const deal = await h.client.crm.deals.basicApi.create({
      properties: { dealname: 'Big one', amount: '1200', dealstage: 'qualifiedtobuy' },
      associations: [{ to: { id: String(contact) }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 3 }] }],
    });
    expectModel(deal, 'crm/deals', 'SimplePublicObject');
    const read = await h.client.crm.deals.basicApi.getById(deal.id, ['dealstage', 'pipeline', 'amount'], undefined, ['contacts']);
    expectModel(read, 'crm/deals', 'SimplePublicObjectWithAssociations');
    expect(read.properties).toMatchObject({ dealstage: 'qualifiedtobuy', pipeline: 'default', amount: '1200' });
    expect(read.associations?.contacts.results).toEqual([{ id: String(contact), type: 'deal_to_contact' }]);
  });

  it('rejects a stage that does not belong to the pipeline', async () => {
    const e = await rejection(() => h.client.crm.deals.basicApi.create({ properties: { dealname: 'x', dealstage: 'nope' }, associations: [] }));
    expect(e.code).toBe(400);
    expect(e.body.message).toContain('INVALID_OPTION');
  });

  it('returns the deal default properties when none are asked for', async () => {
    const id = h.emu.ui.createDeal(h.portalId, { dealname: 'Defaults' });
    const d = await h.client.crm.deals.basicApi.getById(String(id));
    expect(Object.keys(d.properties).sort()).toEqual(['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline']);
    expect(d.properties.dealstage).toBe('appointmentscheduled');
  });
});

describe('authentication', () => {
  it('answers a missing or unknown token with 401 INVALID_AUTHENTICATION', async () => {
    const e = await rejection(() => h.clientWith({ accessToken: 'nope' }).crm.contacts.basicApi.getPage());
    expect(e.code).toBe(401);
    expectModel(e.body, 'crm/contacts', 'ModelError');
    expect(e.body.category).toBe('INVALID_AUTHENTICATION');
  });

  it('answers a call without the needed scope with 403 MISSING_SCOPES naming the scope', async () => {
    const emu = h.emu;
    const narrow = emu.registerApp({ redirectUrls: ['http://127.0.0.1:9/cb'], scopes: ['oauth', 'crm.objects.contacts.read'] });
    const t = emu.issueTokens(narrow.appId, h.portalId);
    const e = await rejection(() => h.clientWith({ accessToken: t.accessToken }).crm.deals.basicApi.getPage());
    expect(e.code).toBe(403);
    expect(e.body.category).toBe('MISSING_SCOPES');
    expect(e.body.errors[0].context.requiredGranularScopes).toEqual(['crm.objects.deals.read']);
  });

  it('serves the same objects under the date-versioned path', async () => {
    const id = h.emu.ui.createContact(h.portalId, { email: 'dated@acme.test' });
    const res = await h.client.apiRequest({ method: 'GET', path: `/crm/objects/2026-03/contacts/${id}` });
    expect((await res.json()).properties.email).toBe('dated@acme.test');
  });
});
