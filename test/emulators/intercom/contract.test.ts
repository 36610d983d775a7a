// Contract: every endpoint Refcard uses, driven by the real intercom-client@7 (no hand-written
// HTTP), with every response body checked against Intercom's OpenAPI 2.14 schemas.
import { IntercomError, type Intercom } from 'intercom-client';
import { beforeEach, describe, expect, test } from 'vitest';
import { harness, type Harness } from './harness.ts';
import { intercomSpec } from './oas.ts';

const spec = intercomSpec();

/** Runs the call, expects an IntercomError, returns it after checking its body against the spec. */
async function failure(call: Promise<unknown>, method: string, path: string, status: number): Promise<IntercomError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(IntercomError);
  const e = err as IntercomError;
  expect(e.statusCode).toBe(status);
  spec.expect(method, path, status, e.body);
  return e;
}

const errorCode = (e: IntercomError) => (e.body as { errors: Array<{ code: string; message: string }> }).errors[0];

let h: Harness;
beforeEach(() => {
  h = harness({
    fixture: {
      dataAttributes: [
        { name: 'referral_code', data_type: 'string' },
        { name: 'referrals_count', data_type: 'integer' },
      ],
      tags: ['VIP'],
      contacts: [
        { email: 'grace@example.test', name: 'Grace Hopper', external_id: 'u-1', tags: ['VIP'], custom_attributes: { referrals_count: 3 } },
        { email: 'alan@example.test', name: 'Alan Turing', role: 'user' },
        { email: 'hedy@example.test', name: 'Hedy Lamarr', role: 'lead' },
      ],
      segments: [{ name: 'VIPs', tag: 'VIP' }],
      conversations: [{ contacts: ['grace@example.test'], body: '<p>Hello</p>', parts: [{ from: 'admin', body: '<p>Hi!</p>' }] }],
    },
  });
});

describe('admins', () => {
  test('GET /me identifies the installing admin and the workspace id_code', async () => {
    const { data } = await h.client.admins.identify().withRawResponse();
    spec.expect('get', '/me', 200, data);
    expect(data?.app?.id_code).toBe(h.idCode);
    expect(data?.id).toBe(h.adminId);
    expect(data?.email_verified).toBe(true);
  });

  test('admins can be listed and found, and an unknown admin is admin_not_found', async () => {
    const list = await h.client.admins.list();
    spec.expect('get', '/admins', 200, list);
    const { data } = await h.client.admins.find({ admin_id: Number(h.adminId) }).withRawResponse();
    spec.expect('get', '/admins/{admin_id}', 200, data);
    const e = await failure(h.client.admins.find({ admin_id: 1 }), 'get', '/admins/{admin_id}', 404);
    expect(errorCode(e).code).toBe('admin_not_found');
  });
});

describe('contacts', () => {
  test('creating a user returns the full Contact shape with only known custom attributes', async () => {
    const c = await h.client.contacts.create({ email: 'new@example.test', name: 'New Person', custom_attributes: { referral_code: 'ABC' } });
    spec.expect('post', '/contacts', 200, c);
    expect(c).toMatchObject({ type: 'contact', role: 'user', email: 'new@example.test', workspace_id: h.idCode, custom_attributes: { referral_code: 'ABC' } });
  });

  test('creating a lead with only an email type-checks and works', async () => {
    const c = await h.client.contacts.create({ role: 'lead', email: 'lead@example.test' } as Intercom.CreateContactRequest);
    spec.expect('post', '/contacts', 200, c);
    expect(c.role).toBe('lead');
  });

  test('creating a duplicate user answers the undocumented 409 naming the existing id', async () => {
    const existing = h.seed.contacts['grace@example.test'];
    const e = await failure(h.client.contacts.create({ email: 'GRACE@example.test' }), 'post', '/contacts', 409);
    expect(errorCode(e)).toEqual({ code: 'conflict', message: `A contact matching those details already exists with id=${existing}` });
    const byExternal = await failure(h.client.contacts.create({ external_id: 'u-1' }), 'post', '/contacts', 409);
    expect(errorCode(byExternal).message).toContain(existing);
  });

  test('writing an unknown custom attribute is a 400', async () => {
    const e = await failure(h.client.contacts.create({ email: 'x@example.test', custom_attributes: { nope: 1 } }), 'post', '/contacts', 400);
    expect(errorCode(e).code).toBe('parameter_invalid');
  });

  test('a lead refuses null custom attribute values while a user accepts them', async () => {
    const lead = h.seed.contacts['hedy@example.test'];
    const e = await failure(h.client.contacts.update({ contact_id: lead, custom_attributes: { referral_code: null } }), 'put', '/contacts/{contact_id}', 400);
    expect(errorCode(e).message).toContain('not of type Numeric, String or Boolean');
    const user = await h.client.contacts.update({ contact_id: h.seed.contacts['grace@example.test'], custom_attributes: { referrals_count: null } });
    expect(user.custom_attributes).not.toHaveProperty('referrals_count');
  });

  test('a contact can be found, and an unknown one is "User Not Found"', async () => {
    const id = h.seed.contacts['grace@example.test'];
    const { data } = await h.client.contacts.find({ contact_id: id }).withRawResponse();
    spec.expect('get', '/contacts/{contact_id}', 200, data);
    expect(data.tags?.data).toEqual([{ type: 'tag', id: h.seed.tags.VIP, url: `/tags/${h.seed.tags.VIP}` }]);
    const e = await failure(h.client.contacts.find({ contact_id: '000000000000000000000000' }), 'get', '/contacts/{contact_id}', 404);
    expect(errorCode(e)).toEqual({ code: 'not_found', message: 'User Not Found' });
  });

  test('updating merges custom attributes per key and bumps updated_at', async () => {
    let t = 1_800_000_000_000;
    h = harness({ now: () => t, fixture: { dataAttributes: [{ name: 'a', data_type: 'string' }, { name: 'b', data_type: 'string' }], contacts: [{ email: 'p@example.test', custom_attributes: { a: '1' } }] } });
    const id = h.seed.contacts['p@example.test'];
    t += 5_000;
    const c = await h.client.contacts.update({ contact_id: id, custom_attributes: { b: '2' } });
    spec.expect('put', '/contacts/{contact_id}', 200, c);
    expect(c.custom_attributes).toEqual({ a: '1', b: '2' });
    expect(c.updated_at).toBe(1_800_000_005);
  });

  test('deleting a contact returns a deleted reference and later lookups 404', async () => {
    const id = h.seed.contacts['alan@example.test'];
    const { data } = await h.client.contacts.delete({ contact_id: id }).withRawResponse();
    spec.expect('delete', '/contacts/{contact_id}', 200, data);
    expect(data).toEqual({ type: 'contact', id, external_id: null, deleted: true });
    await failure(h.client.contacts.find({ contact_id: id }), 'get', '/contacts/{contact_id}', 404);
  });

  test('listing pages through every contact with starting_after and stops when pages.next is omitted', async () => {
    h.emu.generateContacts(h.idCode, 25);
    const first = await h.client.contacts.list({ per_page: 10 });
    spec.expect('get', '/contacts', 200, first.response);
    expect(first.response).toMatchObject({ type: 'list', total_count: 28, pages: { type: 'pages', page: 1, per_page: 10, total_pages: 3 } });
    const ids: string[] = [];
    for await (const c of first) ids.push(c.id);
    expect(ids).toHaveLength(28);
    expect(new Set(ids).size).toBe(28);
    const last = h.emu.requestLog.entries({ path: '/contacts' }).at(-1);
    expect(last?.query).toContain('starting_after=');
  });

  test('the default page size of GET /contacts is 10 and per_page above 150 is refused', async () => {
    h.emu.generateContacts(h.idCode, 20);
    const page = await h.client.contacts.list();
    expect(page.data).toHaveLength(10);
    await failure(h.client.contacts.list({ per_page: 151 }), 'get', '/contacts', 400);
  });

  test('search finds by email and returns the contact list shape', async () => {
    const page = await h.client.contacts.search({ query: { field: 'email', operator: '=', value: 'alan@example.test' } });
    spec.expect('post', '/contacts/search', 200, page.response);
    expect(page.data.map((c) => c.name)).toEqual(['Alan Turing']);
    expect(page.response).toMatchObject({ total_count: 1, pages: { page: 1, per_page: 50, total_pages: 1 } });
    expect((page.response as { pages: object }).pages).not.toHaveProperty('next');
  });

  test('a lead merges into a user, which absorbs its tags and is returned', async () => {
    const lead = await h.client.contacts.create({ role: 'lead', email: 'l@example.test' } as Intercom.CreateContactRequest);
    await h.client.tags.tagContact({ contact_id: lead.id, id: h.seed.tags.VIP });
    const into = h.seed.contacts['alan@example.test'];
    const { data } = await h.client.contacts.mergeLeadInUser({ from: lead.id, into }).withRawResponse();
    spec.expect('post', '/contacts/merge', 200, data);
    expect(data.id).toBe(into);
    expect(data.tags?.total_count).toBe(1);
    await failure(h.client.contacts.find({ contact_id: lead.id }), 'get', '/contacts/{contact_id}', 404);
  });

  test('a user is found by external_id, a lead is not', async () => {
    const { data } = await h.client.contacts.showContactByExternalId({ external_id: 'u-1' }).withRawResponse();
    spec.expect('get', '/contacts/find_by_external_id/{external_id}', 200, data);
    expect(data.email).toBe('grace@example.test');
    await failure(h.client.contacts.showContactByExternalId({ external_id: 'nobody' }), 'get', '/contacts/find_by_external_id/{external_id}', 404);
  });

  test('archiving hides a contact from search and unarchiving brings it back', async () => {
    const id = h.seed.contacts['alan@example.test'];
    const archived = await h.client.contacts.archive({ contact_id: id });
    spec.expect('post', '/contacts/{contact_id}/archive', 200, archived);
    const q = { query: { field: 'id', operator: '=' as const, value: id } };
    expect((await h.client.contacts.search(q)).data).toHaveLength(0);
    const back = await h.client.contacts.unarchive({ contact_id: id });
    spec.expect('post', '/contacts/{contact_id}/unarchive', 200, back);
    expect((await h.client.contacts.search(q)).data).toHaveLength(1);
  });
});

describe('tags', () => {
  test('tags are created or returned by case-insensitive name, listed, found and deleted', async () => {
    const created = await h.client.tags.create({ name: 'Referrer' });
    spec.expect('post', '/tags', 200, created);
    const again = await h.client.tags.create({ name: 'referrer' });
    expect(again.id).toBe(created.id);
    spec.expect('get', '/tags', 200, await h.client.tags.list());
    spec.expect('get', '/tags/{tag_id}', 200, await h.client.tags.find({ tag_id: created.id }));
    await h.client.tags.delete({ tag_id: created.id });
    const e = await failure(h.client.tags.find({ tag_id: created.id }), 'get', '/tags/{tag_id}', 404);
    expect(errorCode(e)).toEqual({ code: 'not_found', message: 'Resource Not Found' });
  });

  test('a tag used by a segment cannot be deleted', async () => {
    const e = await failure(h.client.tags.delete({ tag_id: h.seed.tags.VIP }), 'delete', '/tags/{tag_id}', 400);
    expect(errorCode(e).code).toBe('tag_has_dependent_objects');
  });

  test('tagging and untagging a contact returns the tag with applied_at and applied_by', async () => {
    const id = h.seed.contacts['alan@example.test'];
    const tag = await h.client.tags.create({ name: 'Qualified' });
    const applied = await h.client.tags.tagContact({ contact_id: id, id: tag.id });
    spec.expect('post', '/contacts/{contact_id}/tags', 200, applied);
    expect(applied).toMatchObject({ type: 'tag', id: tag.id, name: 'Qualified', applied_by: { type: 'admin', id: h.adminId } });
    const listed = await h.client.contacts.listAttachedTags({ contact_id: id });
    spec.expect('get', '/contacts/{contact_id}/tags', 200, listed);
    expect(listed.data?.map((t) => t.name)).toEqual(['Qualified']);
    const removed = await h.client.tags.untagContact({ contact_id: id, tag_id: tag.id });
    spec.expect('delete', '/contacts/{contact_id}/tags/{tag_id}', 200, removed);
    expect((await h.client.contacts.listAttachedTags({ contact_id: id })).data).toEqual([]);
  });

  test('tagging an unknown contact or with an unknown tag is a 404 with the documented messages', async () => {
    const id = h.seed.contacts['alan@example.test'];
    const noContact = await failure(h.client.tags.tagContact({ contact_id: '000000000000000000000000', id: h.seed.tags.VIP }), 'post', '/contacts/{contact_id}/tags', 404);
    expect(errorCode(noContact).message).toBe('User Not Found');
    const noTag = await failure(h.client.tags.tagContact({ contact_id: id, id: '999' }), 'post', '/contacts/{contact_id}/tags', 404);
    expect(errorCode(noTag).message).toBe('Resource Not Found');
  });
});

describe('segments', () => {
  test('segments list with counts that follow the data, and can be found', async () => {
    const list = await h.client.segments.list({ include_count: true });
    spec.expect('get', '/segments', 200, list);
    expect(list.segments?.[0]).toMatchObject({ name: 'VIPs', person_type: 'user', count: 1 });
    await h.client.tags.tagContact({ contact_id: h.seed.contacts['alan@example.test'], id: h.seed.tags.VIP });
    expect((await h.client.segments.list({ include_count: true })).segments?.[0].count).toBe(2);
    const found = await h.client.segments.find({ segment_id: h.seed.segments.VIPs });
    spec.expect('get', '/segments/{segment_id}', 200, found);
    await failure(h.client.segments.find({ segment_id: 'nope' }), 'get', '/segments/{segment_id}', 404);
  });

  test("a contact's segments are listed", async () => {
    const list = await h.client.contacts.listAttachedSegments({ contact_id: h.seed.contacts['grace@example.test'] });
    spec.expect('get', '/contacts/{contact_id}/segments', 200, list);
    expect(list.data?.map((s) => s.name)).toEqual(['VIPs']);
  });
});

describe('data attributes', () => {
  test('custom attributes are created (with the SDK type cast) and listed next to standard ones', async () => {
    const created = await h.client.dataAttributes.create({ name: 'referral_status', model: 'contact', data_type: 'string' } as unknown as Intercom.CreateDataAttributeRequest);
    spec.expect('post', '/data_attributes', 200, created);
    expect(created).toMatchObject({ type: 'data_attribute', full_name: 'custom_attributes.referral_status', custom: true, api_writable: true, archived: false });
    expect(typeof created.id).toBe('number');
    const list = await h.client.dataAttributes.list({ model: 'contact' });
    spec.expect('get', '/data_attributes', 200, list);
    expect(list.data?.some((a) => a.name === 'email' && a.custom === false)).toBe(true);
    expect(list.data?.some((a) => a.name === 'referral_status')).toBe(true);
  });

  test('creating an existing, badly named or badly typed attribute is parameter_invalid', async () => {
    const create = (b: object) => h.client.dataAttributes.create(b as unknown as Intercom.CreateDataAttributeRequest);
    const dup = await failure(create({ name: 'referral_code', model: 'contact', data_type: 'string' }), 'post', '/data_attributes', 400);
    expect(errorCode(dup)).toEqual({ code: 'parameter_invalid', message: "You already have 'referral_code' in your people data. To save this as new people data, use a different name." });
    const name = await failure(create({ name: '!nv@l!d n@me', model: 'contact', data_type: 'string' }), 'post', '/data_attributes', 400);
    expect(errorCode(name).message).toBe('Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens');
    const type = await failure(create({ name: 'ok_name', model: 'contact', data_type: 'mithril' }), 'post', '/data_attributes', 400);
    expect(errorCode(type).message).toBe("Data Type isn't an option");
    const model = await failure(create({ name: 'ok_name', model: 'ticket', data_type: 'string' }), 'post', '/data_attributes', 400);
    expect(errorCode(model).message).toBe('The Data Attribute model field must be either contact or company');
  });

  test('an attribute is updated, and an unknown one is field_not_found', async () => {
    const id = h.seed.dataAttributes.referral_code;
    const updated = await h.client.dataAttributes.update({ data_attribute_id: id, body: { description: 'Code', archived: false } as Intercom.UpdateDataAttributeRequestBody });
    spec.expect('put', '/data_attributes/{data_attribute_id}', 200, updated);
    expect(updated.description).toBe('Code');
    const e = await failure(h.client.dataAttributes.update({ data_attribute_id: 1, body: { description: 'x' } as Intercom.UpdateDataAttributeRequestBody }), 'put', '/data_attributes/{data_attribute_id}', 404);
    expect(errorCode(e).code).toBe('field_not_found');
  });
});

describe('conversations', () => {
  test('a conversation has contact references and parts', async () => {
    const id = h.seed.conversations[0];
    const conv = await h.client.conversations.find({ conversation_id: id });
    spec.expect('get', '/conversations/{conversation_id}', 200, conv);
    expect(conv.contacts?.contacts).toEqual([{ type: 'contact', id: h.seed.contacts['grace@example.test'], external_id: 'u-1' }]);
    expect(conv.conversation_parts?.total_count).toBe(1);
    await failure(h.client.conversations.find({ conversation_id: '1' }), 'get', '/conversations/{conversation_id}', 404);
  });
});

describe('authentication and versions', () => {
  test('after uninstall the token is rejected with 401 "Access Token Invalid" and no rate-limit headers', async () => {
    h.emu.uninstall('refcard-test-client', h.idCode);
    const e = await failure(h.client.admins.identify(), 'get', '/me', 401);
    expect(errorCode(e)).toEqual({ code: 'unauthorized', message: 'Access Token Invalid' });
    expect(e.rawResponse?.headers.get('x-ratelimit-limit')).toBeNull();
  });

  test('the Intercom-Version header is honoured, recorded, and defaults to 2.14', async () => {
    await h.client.admins.identify();
    await h.client.admins.identify({ version: '2.11' });
    expect(h.emu.requestLog.entries({ path: '/me' }).map((e) => e.version)).toEqual(['2.14', '2.11']);
    const bad = await failure(h.client.admins.identify({ headers: { 'Intercom-Version': 'banana' } }), 'get', '/me', 400);
    expect(errorCode(bad).code).toBe('intercom_version_invalid');
  });
});

describe('the schema check itself', () => {
  test('rejects a contact with a missing field or a wrongly typed one, so passing means something', async () => {
    const c = await h.client.contacts.find({ contact_id: h.seed.contacts['grace@example.test'] });
    const { email_domain: _dropped, ...missing } = c as unknown as Record<string, unknown>;
    expect(spec.check('get', '/contacts/{contact_id}', 200, missing).errors.join()).toContain("required property 'email_domain'");
    expect(spec.check('get', '/contacts/{contact_id}', 200, { ...c, created_at: '2026-01-01' }).ok).toBe(false);
    expect(spec.check('get', '/contacts/{contact_id}', 200, { ...c, tags: { ...c.tags, total_count: 'one' } }).ok).toBe(false);
  });

  test('authenticated error answers carry rate-limit headers and the request id the log records', async () => {
    const e = await failure(h.client.contacts.find({ contact_id: 'missing' }), 'get', '/contacts/{contact_id}', 404);
    expect(e.rawResponse?.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    expect((e.body as { request_id: string }).request_id).toBe(h.emu.requestLog.entries().at(-1)?.requestId);
  });
});
