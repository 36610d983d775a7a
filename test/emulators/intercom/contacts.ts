// Contact lifecycle: create (with the undocumented 409 on duplicates), update, delete,
// archive, merge. Used by the REST routes, the admin-UI actions, and the seeder alike,
// so every path emits the same webhook topics.
import { renderContact } from './contact-view.ts';
import { checkCustomAttributes } from './data-attributes.ts';
import { ApiError, conflict, contactNotFound, invalid } from './errors.ts';
import type { Emulation } from './settings.ts';
import type { AttrValue, ContactRec, Role, Store, WorkspaceRec } from './state.ts';

export interface ContactInput {
  role?: unknown; external_id?: unknown; email?: unknown; phone?: unknown; name?: unknown; avatar?: unknown;
  signed_up_at?: unknown; last_seen_at?: unknown; owner_id?: unknown; unsubscribed_from_emails?: unknown;
  custom_attributes?: unknown;
}

/** Extra fields seeders may set that the API does not accept. */
export interface SeedOverrides { id?: string; created_at?: number; updated_at?: number; location?: Partial<ContactRec['location']> }

const EMAIL = /^[^\s@]+@[^\s@]+$/;

// ---- indexes

const addTo = (m: Map<string, Set<string>>, key: string | null, id: string) => {
  if (!key) return;
  const k = key.toLowerCase();
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(id);
};
const removeFrom = (m: Map<string, Set<string>>, key: string | null, id: string) => {
  if (!key) return;
  const s = m.get(key.toLowerCase());
  s?.delete(id);
  if (s && s.size === 0) m.delete(key.toLowerCase());
};

export function indexContact(ws: WorkspaceRec, c: ContactRec): void {
  addTo(ws.by_email, c.email, c.id);
  addTo(ws.by_external_id, c.external_id, c.id);
}

function unindexContact(ws: WorkspaceRec, c: ContactRec): void {
  removeFrom(ws.by_email, c.email, c.id);
  removeFrom(ws.by_external_id, c.external_id, c.id);
}

export function contactsByEmail(ws: WorkspaceRec, email: string): ContactRec[] {
  return [...(ws.by_email.get(email.toLowerCase()) ?? [])].map((id) => ws.contacts.get(id)!).filter(Boolean);
}

/** The duplicate Intercom answers 409 for: same email or external_id on another contact of the role. */
function findDuplicate(ws: WorkspaceRec, role: Role, email: string | null, externalId: string | null, exceptId?: string): ContactRec | undefined {
  const ids = new Set([...(email ? ws.by_email.get(email.toLowerCase()) ?? [] : []), ...(externalId ? ws.by_external_id.get(externalId.toLowerCase()) ?? [] : [])]);
  for (const id of ids) {
    const c = ws.contacts.get(id);
    if (c && c.id !== exceptId && c.role === role) {
      if ((email && c.email?.toLowerCase() === email.toLowerCase()) || (externalId && c.external_id === externalId)) return c;
    }
  }
  return undefined;
}

function throwConflict(dup: ContactRec): never {
  if (dup.archived) throw new ApiError(409, 'conflict', `An archived contact matching those details already exists with id=${dup.id}`);
  throw conflict(dup.id);
}

// ---- field parsing (lenient on input like the real API, strict on types)

const optString = (v: unknown, field: string): string | null | undefined => {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && field === 'external_id') return String(v);
  throw invalid(`${field} must be a string`, field);
};
const optInt = (v: unknown, field: string): number | null | undefined => {
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw invalid(`${field} must be an integer`, field);
};
const parseRole = (v: unknown): Role | undefined => {
  if (v === undefined || v === null) return undefined;
  if (v === 'user' || v === 'lead') return v;
  throw invalid('role must be either user or lead', 'role');
};
const parseEmail = (v: unknown): string | null | undefined => {
  const e = optString(v, 'email');
  if (e && !EMAIL.test(e.trim())) throw invalid('Email address is invalid', 'email');
  return e === undefined || e === null ? e : e.trim();
};

// ---- operations

export function getContact(ws: WorkspaceRec, id: string): ContactRec {
  const c = ws.contacts.get(id);
  if (!c) throw contactNotFound();
  return c;
}

export function createContact(store: Store, ws: WorkspaceRec, input: ContactInput, settings: Emulation, seed: SeedOverrides = {}): ContactRec {
  const role = parseRole(input.role) ?? 'user';
  const email = parseEmail(input.email) ?? null;
  const externalId = optString(input.external_id, 'external_id') ?? null;
  if (role === 'user' && !email && !externalId) throw invalid('A user must have an email or an external_id');
  if (role === 'user' || settings.leadDuplicates === 'conflict') {
    const dup = findDuplicate(ws, role, email, externalId);
    if (dup) throwConflict(dup);
  }
  const custom = checkCustomAttributes(ws, role, input.custom_attributes);
  const now = store.nowSeconds();
  const createdAt = seed.created_at ?? now;
  const c: ContactRec = {
    id: seed.id ?? store.objectId(),
    seq: store.nextSeq(),
    role,
    external_id: externalId,
    email,
    phone: optString(input.phone, 'phone') ?? null,
    name: optString(input.name, 'name') ?? null,
    avatar: optString(input.avatar, 'avatar') ?? null,
    owner_id: optInt(input.owner_id, 'owner_id') ?? null,
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: input.unsubscribed_from_emails === true,
    created_at: createdAt,
    updated_at: seed.updated_at ?? createdAt,
    signed_up_at: optInt(input.signed_up_at, 'signed_up_at') ?? null,
    last_seen_at: optInt(input.last_seen_at, 'last_seen_at') ?? null,
    last_replied_at: null,
    last_contacted_at: null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    location: { country: null, region: null, city: null, country_code: null, continent_code: null, ...seed.location },
    custom_attributes: custom,
    tags: [],
    company_ids: [],
    archived: false,
    searchable_at: store.now() + settings.searchLagMs,
  };
  ws.contacts.set(c.id, c);
  indexContact(ws, c);
  store.touch(ws);
  store.emit(ws.id_code, `contact.${role}.created`, () => renderContact(ws, c));
  return c;
}

export function updateContact(store: Store, ws: WorkspaceRec, id: string, patch: ContactInput): ContactRec {
  const c = getContact(ws, id);
  const role = parseRole(patch.role) ?? c.role;
  if (c.role === 'user' && role === 'lead') throw invalid('A user cannot be converted to a lead', 'role');
  const email = patch.email === undefined ? c.email : parseEmail(patch.email) ?? null;
  const externalId = patch.external_id === undefined ? c.external_id : optString(patch.external_id, 'external_id') ?? null;
  if (role === 'user' && !email && !externalId) throw invalid('A user must have an email or an external_id');
  if (role === 'user' && (email !== c.email || externalId !== c.external_id || role !== c.role)) {
    const dup = findDuplicate(ws, 'user', email !== c.email || role !== c.role ? email : null, externalId !== c.external_id || role !== c.role ? externalId : null, c.id);
    if (dup) throwConflict(dup);
  }
  const custom = checkCustomAttributes(ws, c.role, patch.custom_attributes);
  // Parse everything before touching the record so a 400 leaves it (and the indexes) intact.
  const strings: Partial<Record<'phone' | 'name' | 'avatar', string | null>> = {};
  for (const f of ['phone', 'name', 'avatar'] as const) if (patch[f] !== undefined) strings[f] = optString(patch[f], f) ?? null;
  const ints: Partial<Record<'signed_up_at' | 'last_seen_at' | 'owner_id', number | null>> = {};
  for (const f of ['signed_up_at', 'last_seen_at', 'owner_id'] as const) if (patch[f] !== undefined) ints[f] = optInt(patch[f], f) ?? null;
  const before = { email: c.email, role: c.role };
  unindexContact(ws, c);
  Object.assign(c, strings, ints, { role, email, external_id: externalId });
  if (typeof patch.unsubscribed_from_emails === 'boolean') c.unsubscribed_from_emails = patch.unsubscribed_from_emails;
  for (const [k, v] of Object.entries(custom)) {
    if (v === null) delete c.custom_attributes[k];
    else c.custom_attributes[k] = v as AttrValue;
  }
  if (before.role === 'lead' && role === 'user' && c.signed_up_at === null) c.signed_up_at = store.nowSeconds();
  c.updated_at = store.nowSeconds();
  indexContact(ws, c);
  store.touch(ws);
  emitUpdateTopics(store, ws, c, before);
  return c;
}

function emitUpdateTopics(store: Store, ws: WorkspaceRec, c: ContactRec, before: { email: string | null; role: Role }): void {
  const item = () => renderContact(ws, c);
  if (before.role === 'lead' && c.role === 'user') store.emit(ws.id_code, 'contact.lead.signed_up', item);
  if (before.email !== c.email && c.email) {
    store.emit(ws.id_code, before.email === null && c.role === 'lead' ? 'contact.lead.added_email' : 'contact.email.updated', item);
  }
  store.emit(ws.id_code, `contact.${c.role}.updated`, item);
}

export function deleteContact(store: Store, ws: WorkspaceRec, id: string): ContactRec {
  const c = getContact(ws, id);
  ws.contacts.delete(id);
  unindexContact(ws, c);
  store.touch(ws);
  store.emit(ws.id_code, 'contact.deleted', () => ({ type: 'contact', id: c.id, external_id: c.external_id, role: c.role }));
  return c;
}

export function setArchived(store: Store, ws: WorkspaceRec, id: string, archived: boolean): ContactRec {
  const c = getContact(ws, id);
  if (c.archived !== archived) {
    c.archived = archived;
    c.updated_at = store.nowSeconds();
    store.touch(ws);
    store.emit(ws.id_code, archived ? 'contact.archived' : 'contact.unarchived', () => ({ type: 'contact', id: c.id, external_id: c.external_id, archived }));
  }
  return c;
}

/** Lead into user: the lead disappears (404 afterwards), its data fills the user's gaps. */
export function mergeContacts(store: Store, ws: WorkspaceRec, fromId: unknown, intoId: unknown): ContactRec {
  if (typeof fromId !== 'string' || typeof intoId !== 'string') throw invalid('from and into are required', 'from');
  const from = getContact(ws, fromId);
  const into = getContact(ws, intoId);
  if (from.role !== 'lead') throw invalid('The contact to merge from must be a lead', 'from');
  if (into.role !== 'user') throw invalid('The contact to merge into must be a user', 'into');
  unindexContact(ws, into);
  into.email ??= from.email;
  into.name ??= from.name;
  into.phone ??= from.phone;
  for (const [k, v] of Object.entries(from.custom_attributes)) if (!(k in into.custom_attributes)) into.custom_attributes[k] = v;
  for (const t of from.tags) if (!into.tags.some((x) => x.id === t.id)) into.tags.push(t);
  for (const co of from.company_ids) if (!into.company_ids.includes(co)) into.company_ids.push(co);
  for (const conv of ws.conversations.values()) {
    conv.contact_ids = [...new Set(conv.contact_ids.map((cid) => (cid === from.id ? into.id : cid)))];
  }
  into.updated_at = store.nowSeconds();
  indexContact(ws, into);
  ws.contacts.delete(from.id);
  unindexContact(ws, from);
  ws.merged_ids.add(from.id);
  store.touch(ws);
  store.emit(ws.id_code, `contact.${into.role}.updated`, () => renderContact(ws, into));
  return into;
}

export function findByExternalId(ws: WorkspaceRec, externalId: string): ContactRec {
  for (const id of ws.by_external_id.get(externalId.toLowerCase()) ?? []) {
    const c = ws.contacts.get(id);
    if (c && c.role === 'user' && c.external_id === externalId) return c;
  }
  throw contactNotFound();
}
