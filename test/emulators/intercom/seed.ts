// Workspaces and fixtures. Seeded data is treated as pre-existing: no webhooks fire and search
// sees it at once. The demo fixture is what sandbox mode starts with.
import { createContact } from './contacts.ts';
import { createConversation, type ConversationDefinition } from './conversations.ts';
import { createDataAttribute, standardAttributes } from './data-attributes.ts';
import { buildSegment, type SegmentDefinition } from './segments.ts';
import type { Emulation } from './settings.ts';
import { newWorkspace, randomIdCode, type AdminRec, type AttrValue, type ContactRec, type DataType, type Store, type WorkspaceRec } from './state.ts';
import { findOrCreateTag } from './tags.ts';

export interface AdminInput { id?: string; name: string; email: string; jobTitle?: string }

export interface WorkspaceInput {
  idCode?: string;
  name: string;
  /** `US` (default), `EU` or `AU`. */
  region?: string;
  /** IANA zone; search truncates dates to days in it. Default UTC. */
  timezone?: string;
  admins?: AdminInput[];
}

export interface ContactFixture {
  id?: string;
  role?: 'user' | 'lead';
  email?: string;
  external_id?: string;
  name?: string;
  phone?: string;
  custom_attributes?: Record<string, AttrValue>;
  /** Tag names; created when missing. */
  tags?: string[];
  /** Company ids (`company_id`) from `companies`. */
  companies?: string[];
  created_at?: number;
  signed_up_at?: number;
  last_seen_at?: number;
  archived?: boolean;
  location?: { country?: string; region?: string; city?: string };
}

export interface WorkspaceFixture {
  admins?: AdminInput[];
  dataAttributes?: Array<{ name: string; data_type: DataType; model?: 'contact' | 'company'; description?: string; options?: string[] }>;
  tags?: string[];
  companies?: Array<{ id?: string; company_id: string; name: string }>;
  contacts?: ContactFixture[];
  segments?: SegmentDefinition[];
  /** `contacts` are contact ids, emails or external ids of seeded contacts. */
  conversations?: Array<Omit<ConversationDefinition, 'contactIds'> & { contacts: string[] }>;
}

export interface SeedResult {
  /** Contact id by email (or external_id, or id when neither). */
  contacts: Record<string, string>;
  contactIds: string[];
  tags: Record<string, string>;
  segments: Record<string, string>;
  conversations: string[];
  dataAttributes: Record<string, number>;
}

function addAdmin(store: Store, ws: WorkspaceRec, a: AdminInput): AdminRec {
  const rec: AdminRec = {
    id: a.id ?? store.nextAdminId(), name: a.name, email: a.email, job_title: a.jobTitle ?? '',
    away_mode_enabled: false, away_mode_reassign: false, has_inbox_seat: true, team_ids: [],
  };
  ws.admins.set(rec.id, rec);
  return rec;
}

export function createWorkspace(store: Store, input: WorkspaceInput): WorkspaceRec {
  const idCode = input.idCode ?? randomIdCode();
  if (store.workspaces.has(idCode)) throw new Error(`Intercom emulator: workspace ${idCode} already exists`);
  const ws = newWorkspace(idCode, input.name, store.nowSeconds(), input.region ?? 'US', input.timezone ?? 'UTC');
  ws.data_attributes.push(...standardAttributes());
  const admins = input.admins?.length ? input.admins : [{ name: 'Ada Admin', email: `admin@${idCode}.example.test`, jobTitle: 'Support lead' }];
  for (const a of admins) addAdmin(store, ws, a);
  store.workspaces.set(idCode, ws);
  store.touch(ws);
  return ws;
}

export function seedWorkspace(store: Store, settings: Emulation, idCode: string, fixture: WorkspaceFixture): SeedResult {
  const ws = store.workspace(idCode);
  const result: SeedResult = { contacts: {}, contactIds: [], tags: {}, segments: {}, conversations: [], dataAttributes: {} };
  // Seeded contacts are old news: visible to search at once, and no webhooks.
  const seedSettings: Emulation = { ...settings, searchLagMs: 0, leadDuplicates: 'allow' };
  store.quietly(() => {
    for (const a of fixture.admins ?? []) addAdmin(store, ws, a);
    for (const d of fixture.dataAttributes ?? []) {
      const existing = ws.data_attributes.find((x) => x.custom && x.name === d.name);
      const rec = existing ?? createDataAttribute(store, ws, { ...d, model: d.model ?? 'contact', options: d.options?.map((value) => ({ value })) });
      result.dataAttributes[d.name] = rec.id!;
    }
    for (const name of fixture.tags ?? []) result.tags[name] = findOrCreateTag(store, ws, name).id;
    const companyIds = new Map<string, string>();
    for (const co of fixture.companies ?? []) {
      const id = co.id ?? store.objectId();
      ws.companies.set(id, { id, company_id: co.company_id, name: co.name, created_at: store.nowSeconds() });
      companyIds.set(co.company_id, id);
    }
    const firstAdmin = [...ws.admins.keys()][0];
    for (const f of fixture.contacts ?? []) {
      const c = createContact(store, ws, {
        role: f.role, email: f.email, external_id: f.external_id, name: f.name, phone: f.phone,
        signed_up_at: f.signed_up_at, last_seen_at: f.last_seen_at, custom_attributes: f.custom_attributes,
      }, seedSettings, { id: f.id, created_at: f.created_at, location: f.location });
      for (const name of f.tags ?? []) {
        const tag = findOrCreateTag(store, ws, name);
        result.tags[tag.name] = tag.id;
        c.tags.push({ id: tag.id, applied_at: c.created_at, applied_by: { type: 'admin', id: firstAdmin } });
      }
      for (const co of f.companies ?? []) {
        const id = companyIds.get(co);
        if (!id) throw new Error(`Intercom emulator: fixture contact refers to unknown company ${co}`);
        c.company_ids.push(id);
      }
      if (f.archived) c.archived = true;
      c.searchable_at = 0;
      result.contacts[c.email ?? c.external_id ?? c.id] = c.id;
      result.contactIds.push(c.id);
    }
    for (const s of fixture.segments ?? []) {
      const seg = buildSegment(store, ws, s, (name) => findOrCreateTag(store, ws, name));
      result.segments[seg.name] = seg.id;
    }
    for (const conv of fixture.conversations ?? []) {
      const contactIds = conv.contacts.map((ref) => resolveContact(ws, ref).id);
      result.conversations.push(createConversation(store, ws, { ...conv, contactIds }).id);
    }
  });
  store.touch(ws);
  return result;
}

export function resolveContact(ws: WorkspaceRec, ref: string): ContactRec {
  const direct = ws.contacts.get(ref);
  if (direct) return direct;
  const lower = ref.toLowerCase();
  for (const id of [...(ws.by_email.get(lower) ?? []), ...(ws.by_external_id.get(lower) ?? [])]) {
    const c = ws.contacts.get(id);
    if (c) return c;
  }
  throw new Error(`Intercom emulator: no contact "${ref}" in workspace ${ws.id_code}`);
}

/** A small, believable workspace for sandbox mode and demos. */
export function demoFixture(): WorkspaceFixture {
  const day = 86_400;
  const t0 = Math.floor(Date.now() / 1000) - 90 * day;
  const people: Array<[string, string, 'user' | 'lead', string[], Record<string, AttrValue>]> = [
    ['Grace Hopper', 'grace@hopper.example.test', 'user', ['Customer', 'VIP'], { plan: 'Enterprise', seats: 120 }],
    ['Alan Turing', 'alan@turing.example.test', 'user', ['Customer'], { plan: 'Pro', seats: 12 }],
    ['Katherine Johnson', 'katherine@nasa.example.test', 'user', ['Customer'], { plan: 'Pro', seats: 30 }],
    ['Linus Pauling', 'linus@pauling.example.test', 'user', ['Customer', 'VIP'], { plan: 'Enterprise', seats: 80 }],
    ['Margaret Hamilton', 'margaret@apollo.example.test', 'user', [], { plan: 'Starter', seats: 3 }],
    ['Tim Berners-Lee', 'tim@web.example.test', 'user', ['Customer'], { plan: 'Starter', seats: 5 }],
    ['Hedy Lamarr', 'hedy@lamarr.example.test', 'lead', ['Referred'], {}],
    ['Claude Shannon', 'claude@shannon.example.test', 'lead', [], {}],
    ['Barbara Liskov', 'barbara@liskov.example.test', 'lead', ['Referred'], {}],
    ['Dennis Ritchie', 'dennis@ritchie.example.test', 'lead', [], {}],
  ];
  return {
    dataAttributes: [
      { name: 'plan', data_type: 'string', description: 'Subscription plan' },
      { name: 'seats', data_type: 'integer', description: 'Paid seats' },
    ],
    tags: ['Customer', 'VIP', 'Referred'],
    contacts: people.map(([name, email, role, tags, attrs], i) => ({
      name, email, role, tags, custom_attributes: attrs, created_at: t0 + i * 3 * day,
      ...(role === 'user' ? { signed_up_at: t0 + i * 3 * day, last_seen_at: t0 + 80 * day + i * 3600 } : {}),
    })),
    segments: [
      { name: 'Active customers', tag: 'Customer' },
      { name: 'VIP customers', tag: 'VIP' },
      { name: 'Enterprise plan', attributes: { plan: 'Enterprise' } },
      { name: 'Referred leads', person_type: 'contact', tag: 'Referred' },
    ],
    conversations: [
      { contacts: ['grace@hopper.example.test'], body: '<p>Can I invite my colleagues to try it?</p>', parts: [{ from: 'admin', body: '<p>Of course! Here is your referral link.</p>' }] },
      { contacts: ['alan@turing.example.test'], body: '<p>How do referral rewards work?</p>' },
      { contacts: ['hedy@lamarr.example.test'], body: '<p>A friend sent me here.</p>' },
    ],
  };
}
