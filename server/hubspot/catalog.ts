import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { hubspotApi } from './client.ts';

// What the admin console's pickers list, live from the portal: contact properties for the field
// mapping (every one, not only form fields — HubSpot's `formField` says nothing about whether a
// value can be written), deal pipelines and stages for deal-stage rules, and contact lists for syncs.

export interface CatalogProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  /** options of enumeration properties, for fixed values */
  options: { label: string; value: string }[];
  /** false: Refcard cannot write it, and `reason` says why */
  writable: boolean;
  reason: string | null;
}

export async function listProperties(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<CatalogProperty[]> {
  const res = await hubspotApi(ctx, connection).call('list contact properties', (c) => c.crm.properties.coreApi.getAll('contacts', false));
  return res.results
    .filter((p) => !p.archived)
    .map((p) => {
      const reason = p.calculated ? 'calculated by HubSpot' : p.modificationMetadata?.readOnlyValue ? 'read-only: HubSpot sets its value' : null;
      return {
        name: p.name,
        label: p.label,
        type: p.type,
        fieldType: p.fieldType,
        groupName: p.groupName,
        options: (p.options ?? []).filter((o) => !o.hidden).map((o) => ({ label: o.label, value: o.value })),
        writable: reason === null,
        reason,
      };
    })
    .sort((a, b) => Number(b.writable) - Number(a.writable) || a.label.localeCompare(b.label));
}

export interface CatalogPipeline {
  id: string;
  label: string;
  stages: { id: string; label: string; isClosed: boolean }[];
}

export async function listPipelines(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<CatalogPipeline[]> {
  const res = await hubspotApi(ctx, connection).call('list deal pipelines', (c) => c.crm.pipelines.pipelinesApi.getAll('deals'));
  return res.results
    .filter((p) => !p.archived)
    .sort((a, b) => a.displayOrder - b.displayOrder)
    .map((p) => ({
      id: p.id,
      label: p.label,
      stages: p.stages
        .filter((s) => !s.archived)
        .sort((a, b) => a.displayOrder - b.displayOrder)
        .map((s) => ({ id: s.id, label: s.label, isClosed: s.metadata?.isClosed === 'true' })),
    }));
}

export interface CatalogList {
  id: string;
  name: string;
  /** MANUAL (static), DYNAMIC (active) or SNAPSHOT */
  processingType: string;
  size: number | null;
}

/** Contact lists, every page of them (HubSpot's list search pages by offset). */
export async function listLists(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): Promise<CatalogList[]> {
  const api = hubspotApi(ctx, connection);
  const out: CatalogList[] = [];
  for (let offset = 0; ; ) {
    const res = await api.call('search lists', (c) => c.crm.lists.listsApi.doSearch({ offset, count: 100, processingTypes: ['MANUAL', 'DYNAMIC', 'SNAPSHOT'] }));
    for (const l of res.lists) {
      if (l.objectTypeId !== '0-1') continue;
      // Search results carry the size only among `additionalProperties`.
      const size = Number(l.additionalProperties?.hs_list_size ?? NaN);
      out.push({ id: String(l.listId), name: l.name, processingType: l.processingType, size: Number.isFinite(size) ? size : null });
    }
    if (!res.hasMore || res.lists.length === 0) return out;
    offset = res.offset;
  }
}
