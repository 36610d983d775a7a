import type { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { validation } from './errors.ts';
import { compileFilterGroups, compileSort } from './filters.ts';
import { authedPortal, jsonBody, requireScopes, type HsEnv } from './http.ts';
import { kindOf } from './crm-objects.ts';
import { QUERY_PROPERTIES } from './property-defs.ts';
import { readProp } from './records.ts';
import { propertyList, recordJson } from './serialize.ts';
import type { CrmRecord } from './types.ts';

// POST /crm/v3/objects/{type}/search: filterGroups, one sort, free-text query, limit ≤ 200 and
// HubSpot's hard cap of 10,000 results per query (paging past it is a 400).

export const SEARCH_RESULT_CAP = 10_000;
export const SEARCH_MAX_LIMIT = 200;

export function isCrmSearch(path: string): boolean {
  return /^\/crm\/(v3\/objects|objects\/2026-03)\/[^/]+\/search$/.test(path);
}

interface Sort {
  propertyName: string;
  descending: boolean;
}

function parseSorts(raw: unknown): Sort | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw validation('sorts must be an array');
  if (raw.length > 1) throw validation('Only one sort is allowed per search');
  const s = raw[0] as unknown;
  if (s === undefined) return undefined;
  if (typeof s === 'string') {
    return s.startsWith('-') ? { propertyName: s.slice(1), descending: true } : { propertyName: s, descending: false };
  }
  const o = s as { propertyName?: string; direction?: string };
  if (!o.propertyName) throw validation('A sort needs a propertyName');
  return { propertyName: o.propertyName, descending: o.direction === 'DESCENDING' };
}

export function registerSearchRoutes(api: Hono<HsEnv>, ctx: EmulatorContext, prefix: string): void {
  api.post(`${prefix}/:type/search`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, [`crm.objects.${kind}.read`]);
    const body = await jsonBody<Record<string, unknown>>(c);
    const portal = authedPortal(ctx, c);
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 0) throw validation('limit must be a non-negative integer');
    if (limit > SEARCH_MAX_LIMIT) throw validation(`limit must be at most ${SEARCH_MAX_LIMIT}, got ${limit}`);
    const offset = body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
    if (!Number.isInteger(offset) || offset < 0) throw validation(`Invalid after: ${String(body.after)}`);
    if (offset >= SEARCH_RESULT_CAP) {
      throw validation(`Search results are capped at ${SEARCH_RESULT_CAP}. Narrow the query (e.g. by a date window) to page further.`);
    }
    const predicate = compileFilterGroups(portal, kind, body.filterGroups);
    const sort = parseSorts(body.sorts);
    const comparator = sort ? compileSort(portal, kind, sort.propertyName, sort.descending) : undefined;
    const query = typeof body.query === 'string' && body.query.trim() ? body.query.trim().toLowerCase() : undefined;
    const properties = propertyList(body.properties as string[] | undefined);

    const lag = ctx.opts.searchIndexLagMs ?? 0;
    const horizon = ctx.now() - lag;
    const store = portal.objects[kind];
    const hits: { rec: CrmRecord; props: Record<string, string>; snapshot?: { props: Record<string, string>; updatedAt: number } }[] = [];
    for (const id of store.order) {
      const rec = store.byId.get(id)!;
      if (rec.archived) continue;
      let props = rec.props;
      let snapshot: { props: Record<string, string>; updatedAt: number } | undefined;
      if (lag > 0) {
        // The index has not caught up with writes newer than the horizon.
        if (rec.createdAt > horizon) continue;
        if (rec.updatedAt > horizon && rec.prev) {
          snapshot = rec.prev;
          props = rec.prev.props;
        }
      }
      if (!predicate(rec, props)) continue;
      if (query && !QUERY_PROPERTIES[kind].some((n) => readProp(portal, kind, rec, n, props)?.toLowerCase().includes(query))) continue;
      hits.push({ rec, props, snapshot });
    }
    if (comparator) hits.sort(comparator);
    const end = Math.min(offset + limit, hits.length, SEARCH_RESULT_CAP);
    const results = hits.slice(offset, end).map((h) => recordJson(portal, kind, h.rec, { properties, snapshot: h.snapshot }));
    const out: Record<string, unknown> = { total: hits.length, results };
    if (end < hits.length && limit > 0) out.paging = { next: { after: String(end) } };
    return c.json(out);
  });
}
