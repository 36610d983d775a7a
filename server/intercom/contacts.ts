import type { Intercom } from 'intercom-client';
import type { IntercomApi } from './client.ts';
import { conflictingContactId, IntercomApiError, isNotFound } from './errors.ts';

// The contact calls Refcard makes. Intercom's search is eventually consistent, so "find by email,
// else create" can still meet a contact created moments ago: its 409 names that contact, and we
// use it instead of failing or creating a second one.

export type IntercomContact = Intercom.Contact;
export type AttributeValues = Record<string, string | number>;

/** The contact as it is now, or null when it was deleted or merged away. */
export async function findContact(api: IntercomApi, contactId: string): Promise<IntercomContact | null> {
  try {
    return await api.call('find contact', (c) => c.contacts.find({ contact_id: contactId }));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The contact with this email; a user wins over leads, the oldest wins among equals. */
export async function findContactByEmail(api: IntercomApi, email: string): Promise<IntercomContact | null> {
  const page = await api.call('search contacts by email', (c) =>
    c.contacts.search({ query: { field: 'email', operator: '=', value: email }, pagination: { per_page: 25 } }),
  );
  const found = page.data.filter((c) => c.email?.toLowerCase() === email.toLowerCase());
  return found.find((c) => c.role === 'user') ?? found[0] ?? null;
}

/** Writes attributes; false when the contact no longer exists (deleted, merged). */
export async function updateAttributes(api: IntercomApi, contactId: string, values: AttributeValues): Promise<boolean> {
  try {
    await api.call('update contact attributes', (c) => c.contacts.update({ contact_id: contactId, custom_attributes: values }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Creates a lead or user; on the 409 for an existing contact, updates that one with the same
 * attributes instead. Returns the contact id either way.
 */
export async function createOrAdoptContact(
  api: IntercomApi,
  input: { role: 'lead' | 'user'; email: string; name: string | null; values: AttributeValues },
): Promise<{ id: string; created: boolean }> {
  try {
    const created = await api.call('create contact', (c) =>
      c.contacts.create({ role: input.role, email: input.email, ...(input.name && { name: input.name }), custom_attributes: input.values }),
    );
    return { id: created.id, created: true };
  } catch (err) {
    const existing = conflictingContactId(err);
    if (!existing) throw err;
    if (!(await updateAttributes(api, existing, input.values))) {
      throw new IntercomApiError(409, 'conflict', `Intercom reports contact ${existing} for ${input.email}, but it cannot be found`);
    }
    return { id: existing, created: false };
  }
}

/** Whether a contact is in a segment now: Intercom has no membership lookup that is not a search. */
export async function isInSegment(api: IntercomApi, contactId: string, segmentId: string): Promise<boolean> {
  const page = await api.call('check segment membership', (c) =>
    c.contacts.search({
      query: {
        operator: 'AND',
        value: [
          { field: 'segment_id', operator: '=', value: segmentId },
          { field: 'id', operator: '=', value: contactId },
        ],
      },
      pagination: { per_page: 1 },
    }),
  );
  return page.data.some((c) => c.id === contactId);
}

/** The email Intercom holds, or null ("" is Intercom's way of saying none). */
export const contactEmail = (c: Pick<IntercomContact, 'email'>): string | null => (c.email && c.email.trim() ? c.email.trim() : null);
