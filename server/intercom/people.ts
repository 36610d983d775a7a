import type { Campaign } from '../db/schema.ts';
import type { BulkPerson } from '../program/bulk-enrol.ts';
import { inboundValues } from '../../shared/mapping.ts';
import type { IntercomContact } from './contacts.ts';
import { contactEmail } from './contacts.ts';

/**
 * An Intercom contact as a referrer to enrol. Intercom keeps one `name`, so it is split at the
 * first space unless the campaign's inbound mapping names the fields; mapping sources may be a
 * contact field (`phone`), a custom attribute (`plan`) or its full name (`custom_attributes.plan`).
 */
export function toBulkPerson(contact: IntercomContact, campaign: Pick<Campaign, 'fieldMapping'>): BulkPerson {
  const custom = (contact.custom_attributes ?? {}) as Record<string, unknown>;
  const record: Record<string, unknown> = { ...(contact as unknown as Record<string, unknown>) };
  for (const [k, v] of Object.entries(custom)) {
    record[`custom_attributes.${k}`] = v;
    if (!(k in record)) record[k] = v;
  }
  const mapped = inboundValues(campaign.fieldMapping.intercom.inbound, record);
  const [first, ...rest] = (contact.name ?? '').trim().split(/\s+/);
  return {
    externalId: contact.id,
    email: contactEmail(contact),
    firstName: mapped.firstName ?? (first || null),
    lastName: mapped.lastName ?? (rest.join(' ') || null),
    customFields: mapped.custom,
  };
}

/** A contact attribute as text, for rules compared as strings ("Pro", "true", "42"). */
export function attributeText(contact: IntercomContact, attribute: string): string | null {
  const custom = (contact.custom_attributes ?? {}) as Record<string, unknown>;
  const name = attribute.startsWith('custom_attributes.') ? attribute.slice('custom_attributes.'.length) : attribute;
  const v = name in custom ? custom[name] : (contact as unknown as Record<string, unknown>)[attribute];
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
