// Contact search semantics: operators, Intercom's nesting limits, day-granular dates, tag and
// segment membership that follows the data, cursor paging, and the eventual-consistency knob.
import fc from 'fast-check';
import { IntercomError, type Intercom } from 'intercom-client';
import { describe, expect, test } from 'vitest';
import { harness } from './harness.ts';

type Query = Intercom.SearchRequest['query'];
const ids = async (h: ReturnType<typeof harness>, query: unknown) => {
  const out: string[] = [];
  for await (const c of await h.client.contacts.search({ query: query as Query, pagination: { per_page: 150 } })) out.push(c.id);
  return out;
};
const status = (p: Promise<unknown>) => p.then(() => 200, (e: IntercomError) => e.statusCode);

const people = () =>
  harness({
    fixture: {
      dataAttributes: [{ name: 'plan', data_type: 'string' }, { name: 'seats', data_type: 'integer' }, { name: 'vip', data_type: 'boolean' }, { name: 'renews_at', data_type: 'date' }],
      contacts: [
        { email: 'ada@alpha.example.test', name: 'Ada Lovelace', custom_attributes: { plan: 'Pro', seats: 5, vip: true } },
        { email: 'alan@beta.example.test', name: 'Alan Turing', custom_attributes: { plan: 'Starter', seats: 1, vip: false } },
        { email: 'grace@alpha.example.test', name: 'Grace Hopper', custom_attributes: { plan: 'Enterprise', seats: 50 } },
        { email: 'hedy@gamma.example.test', name: 'Hedy Lamarr', role: 'lead' },
      ],
    },
  });

describe('operators', () => {
  test('string operators match case-insensitively', async () => {
    const h = people();
    const names = async (q: object) => (await h.client.contacts.search({ query: q as Query })).data.map((c) => c.name).sort();
    expect(await names({ field: 'email', operator: '=', value: 'ADA@alpha.example.test' })).toEqual(['Ada Lovelace']);
    expect(await names({ field: 'role', operator: '!=', value: 'user' })).toEqual(['Hedy Lamarr']);
    expect(await names({ field: 'name', operator: '~', value: 'LO' })).toEqual(['Ada Lovelace']);
    expect(await names({ field: 'name', operator: '!~', value: 'a' })).toEqual([]);
    expect(await names({ field: 'name', operator: '^', value: 'a' })).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(await names({ field: 'email', operator: '$', value: 'gamma.example.test' })).toEqual(['Hedy Lamarr']);
    expect(await names({ field: 'email_domain', operator: '=', value: 'alpha.example.test' })).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(await names({ field: 'custom_attributes.plan', operator: 'IN', value: ['pro', 'Enterprise'] })).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(await names({ field: 'custom_attributes.plan', operator: 'NIN', value: ['Pro'] })).toEqual(['Alan Turing', 'Grace Hopper', 'Hedy Lamarr']);
  });

  test('integer, boolean and null comparisons work on custom attributes', async () => {
    const h = people();
    const names = async (q: object) => (await h.client.contacts.search({ query: q as Query })).data.map((c) => c.name).sort();
    expect(await names({ field: 'custom_attributes.seats', operator: '>', value: 4 })).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(await names({ field: 'custom_attributes.seats', operator: '<=', value: '5' })).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(await names({ field: 'custom_attributes.seats', operator: '>=', value: 50 })).toEqual(['Grace Hopper']);
    expect(await names({ field: 'custom_attributes.vip', operator: '=', value: true })).toEqual(['Ada Lovelace']);
    expect(await names({ field: 'custom_attributes.plan', operator: '=', value: null })).toEqual(['Hedy Lamarr']);
    expect(await names({ field: 'custom_attributes.plan', operator: '!=', value: null })).toHaveLength(3);
  });

  test('dates match by calendar day in the workspace timezone; > starts the next day, < the day before', async () => {
    const day = Date.UTC(2026, 0, 15) / 1000; // 2026-01-15T00:00Z
    const h = harness({
      fixture: {
        contacts: [
          { email: 'd14@example.test', created_at: day - 3600 }, // Jan 14, 23:00 UTC
          { email: 'd15a@example.test', created_at: day + 60 },
          { email: 'd15b@example.test', created_at: day + 86_399 },
          { email: 'd16@example.test', created_at: day + 86_400 },
        ],
      },
    });
    const emails = async (op: string, value: number) => (await h.client.contacts.search({ query: { field: 'created_at', operator: op as '=', value } })).data.map((c) => c.email).sort();
    const midday = day + 12 * 3600;
    expect(await emails('=', midday)).toEqual(['d15a@example.test', 'd15b@example.test']);
    expect(await emails('>', midday)).toEqual(['d16@example.test']);
    expect(await emails('<', midday)).toEqual(['d14@example.test']);
    expect(await status(h.client.contacts.search({ query: { field: 'created_at', operator: '>=' as never, value: midday } }))).toBe(400);
    expect(await status(h.client.contacts.search({ query: { field: 'created_at', operator: '!=', value: midday } }))).toBe(400);

    // Same data in a workspace eight hours behind UTC: Jan 14 23:00 UTC is Jan 14 15:00 there,
    // and Jan 15 23:59 UTC is still Jan 15 there — but Jan 15 00:01 UTC is Jan 14.
    const la = harness({ idCode: 'la000001', fixture: { contacts: [{ email: 'a@example.test', created_at: day + 60 }, { email: 'b@example.test', created_at: day + 86_399 }] } });
    la.emu.store.workspace('la000001').timezone = 'America/Los_Angeles';
    const laEmails = (await la.client.contacts.search({ query: { field: 'created_at', operator: '=', value: day + 12 * 3600 } })).data.map((c) => c.email);
    expect(laEmails).toEqual(['b@example.test']);
  });

  test('unknown fields, unknown custom attributes and operators that do not fit the type are refused', async () => {
    const h = people();
    for (const q of [
      { field: 'shoe_size', operator: '=', value: 1 },
      { field: 'custom_attributes.nope', operator: '=', value: 'x' },
      { field: 'name', operator: '>', value: 'a' },
      { field: 'tag_id', operator: 'IN', value: ['1'] },
      { field: 'custom_attributes.seats', operator: '~', value: '1' },
      { field: 'custom_attributes.plan', operator: 'IN', value: 'Pro' },
    ]) {
      expect(await status(h.client.contacts.search({ query: q as Query })), JSON.stringify(q)).toBe(400);
    }
  });
});

describe('nesting limits', () => {
  const leaf = { field: 'role', operator: '=', value: 'user' };
  test('two levels of AND/OR groups are accepted', async () => {
    const h = people();
    const q = { operator: 'AND', value: [{ operator: 'OR', value: [{ field: 'custom_attributes.plan', operator: '=', value: 'Pro' }, { field: 'custom_attributes.plan', operator: '=', value: 'Starter' }] }, leaf] };
    expect((await ids(h, q)).length).toBe(2);
  });

  test('a third level is refused with 400', async () => {
    const h = people();
    const q = { operator: 'AND', value: [{ operator: 'OR', value: [{ operator: 'AND', value: [leaf] }] }] };
    const e = await h.client.contacts.search({ query: q as Query }).catch((x: unknown) => x as IntercomError);
    expect(e).toBeInstanceOf(IntercomError);
    expect((e as IntercomError).statusCode).toBe(400);
  });

  test('fifteen filters in a group are accepted and sixteen are refused', async () => {
    const h = people();
    expect(await status(h.client.contacts.search({ query: { operator: 'OR', value: Array(15).fill(leaf) } as Query }))).toBe(200);
    expect(await status(h.client.contacts.search({ query: { operator: 'OR', value: Array(16).fill(leaf) } as Query }))).toBe(400);
  });
});

describe('tags and segments', () => {
  test('tag_id = and != follow tagging through the API', async () => {
    const h = people();
    const tag = await h.client.tags.create({ name: 'Referrer' });
    const ada = h.seed.contacts['ada@alpha.example.test'];
    await h.client.tags.tagContact({ contact_id: ada, id: tag.id });
    expect(await ids(h, { field: 'tag_id', operator: '=', value: tag.id })).toEqual([ada]);
    expect(await ids(h, { field: 'tag_id', operator: '!=', value: tag.id })).toHaveLength(3);
  });

  test('segment_id search, include_count and contact segments agree with the data under any tagging sequence', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ who: fc.nat(7), tag: fc.constantFrom('Customer', 'VIP'), add: fc.boolean(), plan: fc.constantFrom('Pro', 'Starter', null) }), { maxLength: 25 }),
      async (ops) => {
        const h = harness({
          fixture: {
            dataAttributes: [{ name: 'plan', data_type: 'string' }],
            tags: ['Customer', 'VIP'],
            contacts: Array.from({ length: 8 }, (_, i) => ({ email: `p${i}@example.test`, role: i % 4 === 3 ? 'lead' as const : 'user' as const })),
            segments: [{ name: 'Customers', tag: 'Customer' }, { name: 'Pro VIPs', tag: 'VIP', attributes: { plan: 'Pro' } }, { name: 'Customer leads', person_type: 'contact', tag: 'Customer' }],
          },
        });
        const all = h.seed.contactIds;
        for (const op of ops) {
          const id = all[op.who];
          if (op.add) h.emu.ui.tagContact(h.idCode, id, op.tag); else h.emu.ui.untagContact(h.idCode, id, op.tag);
          if (op.plan !== null) h.emu.ui.updateAttribute(h.idCode, id, 'plan', op.plan);
        }
        const expected: Record<string, string[]> = {
          Customers: all.filter((id) => { const c = h.emu.getContact(h.idCode, id)!; return c.role === 'user' && hasTag(c, h.seed.tags.Customer); }),
          'Pro VIPs': all.filter((id) => { const c = h.emu.getContact(h.idCode, id)!; return c.role === 'user' && hasTag(c, h.seed.tags.VIP) && c.custom_attributes.plan === 'Pro'; }),
          'Customer leads': all.filter((id) => { const c = h.emu.getContact(h.idCode, id)!; return c.role === 'lead' && hasTag(c, h.seed.tags.Customer); }),
        };
        const listed = await h.client.segments.list({ include_count: true });
        for (const seg of listed.segments ?? []) {
          const want = expected[seg.name!];
          expect(await ids(h, { field: 'segment_id', operator: '=', value: seg.id })).toEqual(want);
          expect(seg.count).toBe(want.length);
        }
        for (const id of all) {
          const mine = (await h.client.contacts.listAttachedSegments({ contact_id: id })).data?.map((s) => s.name).sort();
          expect(mine).toEqual(Object.keys(expected).filter((k) => expected[k].includes(id)).sort());
        }
      },
    ), { numRuns: 15 });
  });
});

function hasTag(c: Record<string, unknown>, tagId: string): boolean {
  return ((c.tags as { data: Array<{ id: string }> }).data).some((t) => t.id === tagId);
}

describe('paging', () => {
  test('paging a search with the SDK yields every match once and stops after the last page', async () => {
    const h = harness({ fixture: { dataAttributes: [{ name: 'cohort', data_type: 'integer' }] } });
    h.emu.generateContacts(h.idCode, 1000, { attributes: { cohort: (i) => i % 3 } });
    const first = await h.client.contacts.search({ query: { field: 'custom_attributes.cohort', operator: '=', value: 1 }, pagination: { per_page: 150 } });
    expect(first.response).toMatchObject({ total_count: 333, pages: { page: 1, per_page: 150, total_pages: 3 } });
    const seen: string[] = [];
    for await (const c of first) seen.push(c.id);
    expect(seen).toHaveLength(333);
    expect(new Set(seen).size).toBe(333);
    expect(h.emu.requestLog.count({ path: '/contacts/search' })).toBe(3);
    const bodies = h.emu.requestLog.entries({ path: '/contacts/search' });
    expect(bodies.every((e) => e.status === 200)).toBe(true);
  });

  test('a garbage cursor is a 400 and per_page above 150 is refused', async () => {
    const h = people();
    expect(await status(h.client.contacts.search({ query: { field: 'role', operator: '=', value: 'user' }, pagination: { per_page: 10, starting_after: '!!' } }))).toBe(400);
    expect(await status(h.client.contacts.search({ query: { field: 'role', operator: '=', value: 'user' }, pagination: { per_page: 151 } }))).toBe(400);
  });
});

describe('eventual consistency', () => {
  test('with search lag, search-then-create hits the 409 and the message carries the id to update', async () => {
    let now = 1_800_000_000_000;
    const h = harness({ now: () => now, searchLagMs: 60_000 });
    const created = await h.client.contacts.create({ email: 'late@example.test' });
    const search = () => h.client.contacts.search({ query: { field: 'email', operator: '=', value: 'late@example.test' } });
    expect((await search()).data).toHaveLength(0);
    const e = await h.client.contacts.create({ email: 'late@example.test' }).catch((x: unknown) => x as IntercomError);
    expect((e as IntercomError).statusCode).toBe(409);
    const message = ((e as IntercomError).body as { errors: Array<{ message: string }> }).errors[0].message;
    expect(/id=([0-9a-f]{24})/.exec(message)?.[1]).toBe(created.id);
    expect((await h.client.contacts.find({ contact_id: created.id })).email).toBe('late@example.test');
    now += 60_001;
    expect((await search()).data.map((c) => c.id)).toEqual([created.id]);
  });

  test('the lag can be changed at run time and does not affect GET /contacts', async () => {
    const h = harness();
    h.emu.setSearchLag(3_600_000);
    const c = await h.client.contacts.create({ email: 'x@example.test' });
    expect((await h.client.contacts.search({ query: { field: 'id', operator: '=', value: c.id } })).data).toHaveLength(0);
    expect((await h.client.contacts.list()).data.map((x) => x.id)).toContain(c.id);
  });
});
