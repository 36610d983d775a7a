import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { listLists, listPipelines, listProperties } from '../hubspot/catalog.ts';
import { listAttributes, listSegments, listTags } from '../intercom/catalog.ts';

// What the console's pickers show, read live from the portal or workspace through the providers'
// catalogs and held for a minute per connection, so a page reload does not spend the API budget
// again. The Refresh buttons bypass the cache (new properties appear at once).

export interface CatalogField {
  name: string;
  label: string;
  type: string;
  /** can Refcard write it? */
  writable: boolean;
  /** why not, when it cannot */
  reason: string | null;
  group: string | null;
  /** allowed values, for enumerations */
  options: { value: string; label: string }[];
}

export interface Pipeline {
  id: string;
  label: string;
  stages: { id: string; label: string }[];
}

export interface Choice {
  id: string;
  name: string;
  /** members, when the platform says */
  size: number | null;
}

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; value: unknown }>();

async function cached<T>(key: string, refresh: boolean, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (!refresh && hit && Date.now() - hit.at < TTL_MS) return hit.value as T;
  const value = await load();
  cache.set(key, { at: Date.now(), value });
  if (cache.size > 500) cache.delete(cache.keys().next().value!);
  return value;
}

/** Contact properties (HubSpot) or contact data attributes (Intercom), every one of them. */
export function fieldsOf(ctx: AppContext, conn: Connection, refresh = false): Promise<CatalogField[]> {
  return cached(`fields:${conn.id}`, refresh, async () => {
    if (conn.provider === 'hubspot') {
      const props = await listProperties(ctx, conn);
      return props.map((p) => ({
        name: p.name,
        label: p.label,
        type: p.type,
        writable: p.writable,
        reason: p.reason ?? null,
        group: p.groupName ?? null,
        options: (p.options ?? []).map((o) => ({ value: o.value, label: o.label })),
      }));
    }
    const attrs = await listAttributes(ctx, conn);
    return attrs.map((a) => ({
      name: a.name,
      label: a.label,
      type: a.type,
      writable: a.writable,
      reason: a.reason ?? null,
      group: null,
      options: (a.options ?? []).map((o) => ({ value: o, label: o })),
    }));
  });
}

export function pipelinesOf(ctx: AppContext, conn: Connection, refresh = false): Promise<Pipeline[]> {
  return cached(`pipelines:${conn.id}`, refresh, async () =>
    (await listPipelines(ctx, conn)).map((p) => ({ id: p.id, label: p.label, stages: p.stages.map((s) => ({ id: s.id, label: s.label })) })),
  );
}

export function listsOf(ctx: AppContext, conn: Connection, refresh = false): Promise<Choice[]> {
  return cached(`lists:${conn.id}`, refresh, async () => (await listLists(ctx, conn)).map((l) => ({ id: String(l.id), name: l.name, size: l.size ?? null })));
}

export function tagsOf(ctx: AppContext, conn: Connection, refresh = false): Promise<Choice[]> {
  return cached(`tags:${conn.id}`, refresh, async () => (await listTags(ctx, conn)).map((t) => ({ id: t.id, name: t.name, size: null })));
}

export function segmentsOf(ctx: AppContext, conn: Connection, refresh = false): Promise<Choice[]> {
  return cached(`segments:${conn.id}`, refresh, async () => (await listSegments(ctx, conn)).map((s) => ({ id: s.id, name: s.name, size: s.count ?? null })));
}

/** A catalog call that failed, as a sentence for the page (the page still renders). */
export function catalogError(err: unknown, what: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return `Couldn’t load ${what}: ${message}`;
}

/** Loads, or answers the failure as text, so one unreachable CRM never breaks a page. */
export async function attempt<T>(what: string, load: () => Promise<T>): Promise<{ value: T; error: null } | { value: null; error: string }> {
  try {
    return { value: await load(), error: null };
  } catch (err) {
    return { value: null, error: catalogError(err, what) };
  }
}
