import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { intercomApi } from './client.ts';

// What the admin console's pickers list, live from the workspace: contact data attributes (for
// the field mapping and attribute rules), tags (for tag rules) and segments (for syncs).

export interface CatalogAttribute {
  /** as rules and mappings name it: `plan` for a custom attribute, `email` for a standard one */
  name: string;
  label: string;
  type: string;
  /** false: Refcard cannot write it, and `reason` says why */
  writable: boolean;
  reason: string | null;
  /** the choices of an `options` attribute */
  options: string[];
  custom: boolean;
}

export async function listAttributes(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<CatalogAttribute[]> {
  const res = await intercomApi(ctx, connection).call('list data attributes', (c) => c.dataAttributes.list({ model: 'contact' }));
  return (res.data ?? [])
    .filter((a) => !a.archived)
    .map((a) => {
      const writable = a.api_writable !== false;
      return {
        name: a.name,
        label: a.label || a.name,
        type: String(a.data_type),
        writable,
        reason: writable ? null : 'read-only: Intercom sets its value',
        options: a.options ?? [],
        custom: a.custom === true,
      };
    })
    .sort((x, y) => Number(y.custom) - Number(x.custom) || x.label.localeCompare(y.label));
}

export async function listTags(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<{ id: string; name: string }[]> {
  const res = await intercomApi(ctx, connection).call('list tags', (c) => c.tags.list());
  return (res.data ?? []).map((t) => ({ id: String(t.id), name: t.name })).sort((x, y) => x.name.localeCompare(y.name));
}

export async function listSegments(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<{ id: string; name: string; count: number | null; personType: string | null }[]> {
  const res = await intercomApi(ctx, connection).call('list segments', (c) => c.segments.list({ include_count: true }));
  return (res.segments ?? [])
    .filter((s) => s.id)
    .map((s) => ({ id: s.id!, name: s.name ?? s.id!, count: s.count ?? null, personType: s.person_type ? String(s.person_type) : null }))
    .sort((x, y) => x.name.localeCompare(y.name));
}
