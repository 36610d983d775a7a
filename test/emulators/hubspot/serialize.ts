import { ALWAYS_READ, DEFAULT_READ_PROPERTIES } from './property-defs.ts';
import { readProp } from './records.ts';
import type { Portal } from './state.ts';
import { type CrmRecord, type ObjectKind } from './types.ts';

// Records as the CRM v3 API returns them (SimplePublicObject and friends).

/** `properties` may arrive repeated (the SDK) or comma-joined (hand-written URLs); accept both. */
export function propertyList(values: string[] | undefined | null): string[] | undefined {
  if (!values) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return out.length ? [...new Set(out)] : undefined;
}

export function objectKind(raw: string): ObjectKind | undefined {
  switch (raw.toLowerCase()) {
    case 'contacts': case 'contact': case '0-1':
      return 'contacts';
    case 'deals': case 'deal': case '0-3':
      return 'deals';
  }
  return undefined;
}

export function selectedProperties(portal: Portal, kind: ObjectKind, requested: string[] | undefined): string[] {
  if (!requested?.length) return DEFAULT_READ_PROPERTIES[kind];
  const schema = portal.schemas[kind];
  // HubSpot silently drops names it does not know on reads.
  const known = requested.filter((n) => schema.live(n));
  return [...new Set([...known, ...ALWAYS_READ[kind]])];
}

export interface RecordJsonOptions {
  properties?: string[];
  propertiesWithHistory?: string[];
  associations?: string[];
  /** Read values from this snapshot instead of the live record (search index lag). */
  snapshot?: { props: Record<string, string>; updatedAt: number };
}

export function recordJson(portal: Portal, kind: ObjectKind, rec: CrmRecord, o: RecordJsonOptions = {}) {
  const view: CrmRecord = o.snapshot ? { ...rec, props: o.snapshot.props, updatedAt: o.snapshot.updatedAt } : rec;
  const properties: Record<string, string | null> = {};
  for (const name of selectedProperties(portal, kind, o.properties)) properties[name] = readProp(portal, kind, view, name);
  const out: Record<string, unknown> = {
    id: String(rec.id),
    properties,
    createdAt: new Date(rec.createdAt).toISOString(),
    updatedAt: new Date(view.updatedAt).toISOString(),
    archived: rec.archived,
  };
  if (rec.archived && rec.archivedAt !== undefined) out.archivedAt = new Date(rec.archivedAt).toISOString();
  if (o.propertiesWithHistory?.length) {
    const history: Record<string, { value: string; timestamp: string; sourceType: string }[]> = {};
    for (const name of o.propertiesWithHistory) {
      if (!portal.schemas[kind].live(name)) continue;
      const value = readProp(portal, kind, view, name);
      history[name] = value === null ? [] : [{ value, timestamp: new Date(view.updatedAt).toISOString(), sourceType: 'API' }];
    }
    out.propertiesWithHistory = history;
  }
  if (o.associations?.length) {
    const assoc: Record<string, { results: { id: string; type: string }[] }> = {};
    for (const target of o.associations) {
      const toKind = objectKind(target);
      if (!toKind || toKind === kind) continue;
      const ids = kind === 'deals' ? portal.associations.contactsOf(rec.id) : portal.associations.dealsOf(rec.id);
      if (!ids.length) continue;
      const type = kind === 'deals' ? 'deal_to_contact' : 'contact_to_deal';
      assoc[target] = { results: ids.map((id) => ({ id: String(id), type })) };
    }
    if (Object.keys(assoc).length) out.associations = assoc;
  }
  return out;
}
