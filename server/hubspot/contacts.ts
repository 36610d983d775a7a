import type { HubspotApi } from './client.ts';
import { HubspotApiError, missingIds } from './errors.ts';
import { normalizeEmail } from '../../shared/email.ts';

// Contact reads and writes in HubSpot's batch shapes (≤ 100 per call). Results of a batch are not
// in input order, so writes carry the email as a property and results are matched back by it.

export const BATCH = 100;

export interface HsContact {
  id: string;
  properties: Record<string, string | null>;
}

type Props = Record<string, string>;

function chunks<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Batch calls of one operation in flight at once: a round trip, not the budget, is what serial calls wait on. */
const PARALLEL = 4;

/** `fn` on every chunk of `items`, `PARALLEL` at a time; the first failure stops the rest from starting. */
async function eachChunk<T>(items: T[], fn: (part: T[]) => Promise<void>): Promise<void> {
  const parts = chunks(items);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < parts.length) {
      const part = parts[next++]!;
      try {
        await fn(part);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, parts.length) }, lane));
}

const toContact = (r: { id: string; properties: Record<string, string | null> }): HsContact => ({ id: String(r.id), properties: r.properties ?? {} });

/** Reads contacts by id; ids HubSpot no longer has (deleted, merged away) come back in `missing`. */
export async function readContacts(api: HubspotApi, ids: string[], properties: string[]): Promise<{ found: HsContact[]; missing: Set<string> }> {
  const found: HsContact[] = [];
  const missing = new Set<string>();
  await eachChunk([...new Set(ids)], async (part) => {
    const res = await api.call('read contacts', (c) =>
      c.crm.contacts.batchApi.read({ inputs: part.map((id) => ({ id })), properties, propertiesWithHistory: [] }),
    );
    found.push(...res.results.map(toContact));
    for (const id of missingIds((res as { errors?: unknown }).errors)) missing.add(id);
  });
  return { found, missing };
}

/** Which of these emails already have a contact (email → contact id). */
export async function findContactsByEmail(api: HubspotApi, emails: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await eachChunk([...new Set(emails)], async (part) => {
    const res = await api.call('read contacts by email', (c) =>
      c.crm.contacts.batchApi.read({ idProperty: 'email', inputs: part.map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] }),
    );
    for (const r of res.results) if (r.properties.email) out.set(normalizeEmail(r.properties.email), String(r.id));
  });
  return out;
}

/** Batch update by contact id; ids that no longer exist are reported, not fatal (HubSpot answers 207). */
export async function updateContacts(api: HubspotApi, inputs: { id: string; properties: Props }[]): Promise<{ missing: Set<string> }> {
  const missing = new Set<string>();
  await eachChunk(inputs, async (part) => {
    const res = await api.call('update contact properties', (c) => c.crm.contacts.batchApi.update({ inputs: part }));
    for (const id of missingIds((res as { errors?: unknown }).errors)) missing.add(id);
  });
  return { missing };
}

/** Create or update by email (HubSpot's upsert): email → contact id, and the emails it created a contact for. */
export async function upsertContactsByEmail(api: HubspotApi, inputs: { email: string; properties: Props }[]): Promise<{ ids: Map<string, string>; created: Set<string> }> {
  const ids = new Map<string, string>();
  const created = new Set<string>();
  await eachChunk(inputs, async (part) => {
    const res = await api.call('upsert contacts by email', (c) =>
      c.crm.contacts.batchApi.upsert({ inputs: part.map((i) => ({ id: i.email, idProperty: 'email', properties: { ...i.properties, email: i.email } })) }),
    );
    for (const r of res.results) {
      if (!r.properties?.email) continue;
      const email = normalizeEmail(r.properties.email);
      ids.set(email, String(r.id));
      if (r._new) created.add(email);
    }
  });
  return { ids, created };
}

/**
 * Creates contacts for emails HubSpot does not know (email → new id). A contact created by someone
 * else meanwhile (409 "Contact already exists") is left alone: this mode never touches existing ones.
 */
export async function createContacts(api: HubspotApi, inputs: { email: string; properties: Props }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks(inputs)) {
    try {
      const res = await api.call('create contacts', (c) =>
        c.crm.contacts.batchApi.create({ inputs: part.map((i) => ({ properties: { ...i.properties, email: i.email }, associations: [] })) }),
      );
      for (const r of res.results) if (r.properties?.email) out.set(normalizeEmail(r.properties.email), String(r.id));
    } catch (err) {
      if (!(err instanceof HubspotApiError && err.status === 409)) throw err;
      // One email in the batch raced us; create the others one by one.
      for (const one of part) {
        try {
          const r = await api.call('create a contact', (c) => c.crm.contacts.basicApi.create({ properties: { ...one.properties, email: one.email }, associations: [] }));
          out.set(one.email, String(r.id));
        } catch (e) {
          if (!(e instanceof HubspotApiError && e.status === 409)) throw e;
        }
      }
    }
  }
  return out;
}

export interface ContactIdentity {
  email: string | null;
  name: string | null;
  exists: boolean;
}

const IDENTITY_TTL_MS = 60_000;
const IDENTITY_MAX = 5_000;
const identities = new Map<string, { at: number; value: ContactIdentity }>();

/**
 * A contact's email and name for the card, when Refcard has no link for it yet. Cached for a minute
 * per portal and contact: a rep reopening the record, or the card re-rendering, costs no API call.
 */
export async function contactIdentity(api: HubspotApi, contactId: string): Promise<ContactIdentity> {
  const key = `${api.connectionId}:${contactId}`;
  const hit = identities.get(key);
  if (hit && Date.now() - hit.at < IDENTITY_TTL_MS) return hit.value;
  let value: ContactIdentity;
  try {
    const r = await api.call('read a contact', (c) => c.crm.contacts.basicApi.getById(contactId, ['email', 'firstname', 'lastname']));
    const p = r.properties ?? {};
    value = { email: p.email ? normalizeEmail(p.email) : null, name: [p.firstname, p.lastname].filter(Boolean).join(' ') || null, exists: true };
  } catch (err) {
    if (!(err instanceof HubspotApiError && err.status === 404)) throw err;
    value = { email: null, name: null, exists: false };
  }
  identities.delete(key);
  identities.set(key, { at: Date.now(), value });
  if (identities.size > IDENTITY_MAX) identities.delete(identities.keys().next().value!);
  return value;
}

/** Forget a cached identity (the contact was linked, merged or deleted). */
export function forgetIdentity(connectionId: string, contactId: string): void {
  identities.delete(`${connectionId}:${contactId}`);
}
