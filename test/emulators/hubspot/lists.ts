import type { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { notFound, validation } from './errors.ts';
import { authedPortal, baseUrl, jsonBody, parseId, queryInt, requireScopes, type HsContext, type HsEnv } from './http.ts';
import { addMembers, createList, joinOrdered, liveLists, removeMembers, sortedMembers, updateFilters } from './list-store.ts';
import type { Portal } from './state.ts';
import type { ListDef } from './types.ts';

// Lists v3: fetch, search, create/delete/rename, memberships (by record id and by join order,
// paged both ways), a record's lists, add/remove.

const READ = ['crm.lists.read', 'crm.lists.write'];
const WRITE = ['crm.lists.write'];
const iso = (ms: number) => new Date(ms).toISOString();
/** Cursors are opaque to clients; these encode the last record id (or join sequence) seen. */
const cursor = (n: number) => Buffer.from(`c:${n}`).toString('base64url');
function uncursor(raw: string): number {
  const m = /^c:(\d+)$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!m) throw validation(`Invalid paging cursor: ${raw}`);
  return Number(m[1]);
}

export function listJson(list: ListDef, includeFilters = false) {
  const out: Record<string, unknown> = {
    listId: String(list.listId), listVersion: list.listVersion, name: list.name, objectTypeId: list.objectTypeId,
    processingType: list.processingType, processingStatus: 'COMPLETE', createdAt: iso(list.createdAt),
    updatedAt: iso(list.updatedAt), filtersUpdatedAt: iso(list.createdAt), size: list.members.size,
  };
  if (list.deletedAt !== undefined) out.deletedAt = iso(list.deletedAt);
  if (includeFilters && list.filterBranch) out.filterBranch = list.filterBranch;
  return out;
}

function searchJson(list: ListDef) {
  const { size: _size, ...rest } = listJson(list);
  let last = 0;
  for (const m of list.members.values()) last = Math.max(last, m.lastAdded);
  return { ...rest, additionalProperties: { hs_list_size: String(list.members.size), hs_last_record_added_at: String(last), hs_list_reference_count: '0' } };
}

function getList(portal: Portal, raw: string): ListDef {
  const id = parseId(raw);
  const list = id === undefined ? undefined : portal.lists.get(id);
  if (!list || list.deletedAt !== undefined) throw notFound(`List does not exist with ID ${raw}.`);
  return list;
}

function limitOf(c: HsContext): number {
  const limit = queryInt(c, 'limit', 100);
  if (limit < 1 || limit > 250) throw validation(`limit must be between 1 and 250, got ${limit}`);
  return limit;
}

function link(c: HsContext, key: 'after' | 'before', value: string): string {
  const u = new URL(c.req.url);
  u.searchParams.delete('after');
  u.searchParams.delete('before');
  u.searchParams.set(key, value);
  return `${baseUrl(c)}${u.pathname}${u.search}`;
}

/**
 * One page over members ordered by `key`: ascending after a cursor, or descending before one
 * when only `before` is given (as HubSpot pages backwards).
 */
function page(c: HsContext, list: ListDef, ordered: number[], key: (id: number) => number) {
  const limit = limitOf(c);
  const after = c.req.query('after');
  const before = c.req.query('before');
  let slice: number[];
  let hasNext = false;
  let hasPrev = false;
  // `ordered` is ascending in `key`, so both directions bisect instead of scanning.
  const firstAbove = (k: number) => {
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(ordered[mid]) > k) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  if (before !== undefined && after === undefined) {
    const end = firstAbove(uncursor(before) - 1);
    const start = Math.max(0, end - limit);
    slice = ordered.slice(start, end).reverse();
    hasPrev = start > 0;
    hasNext = end < ordered.length;
  } else {
    const start = after === undefined ? 0 : firstAbove(uncursor(after));
    slice = ordered.slice(start, start + limit);
    hasNext = start + limit < ordered.length;
    hasPrev = start > 0;
  }
  const paging: Record<string, unknown> = {};
  if (slice.length && hasNext) {
    const last = Math.max(...slice.map(key));
    paging.next = { after: cursor(last), link: link(c, 'after', cursor(last)) };
  }
  if (slice.length && hasPrev) {
    const first = Math.min(...slice.map(key));
    paging.prev = { before: cursor(first), link: link(c, 'before', cursor(first)) };
  }
  const results = slice.map((id) => ({ recordId: String(id), membershipTimestamp: iso(list.members.get(id)!.lastAdded) }));
  const out: Record<string, unknown> = { results, total: list.members.size };
  if (Object.keys(paging).length) out.paging = paging;
  return out;
}

function recordIds(body: unknown): number[] {
  if (!Array.isArray(body)) throw validation('The body must be an array of record ids');
  return body.map((v) => parseId(String(v)) ?? -1);
}

function assertManual(list: ListDef): void {
  if (list.processingType === 'DYNAMIC') throw validation(`List ${list.listId} is a DYNAMIC list; its memberships cannot be changed by hand.`);
}

export function registerListRoutes(api: Hono<HsEnv>, ctx: EmulatorContext): void {
  api.post('/crm/v3/lists/search', async (c) => {
    requireScopes(c, READ);
    const body = await jsonBody(c);
    const portal = authedPortal(ctx, c);
    const offset = Number(body.offset ?? 0) || 0;
    const count = body.count === undefined ? 20 : Number(body.count);
    if (!Number.isInteger(count) || count < 1 || count > 500) throw validation('count must be between 1 and 500');
    const query = typeof body.query === 'string' ? body.query.toLowerCase() : '';
    const types = Array.isArray(body.processingTypes) ? (body.processingTypes as string[]) : undefined;
    const ids = Array.isArray(body.listIds) ? (body.listIds as unknown[]).map(String) : undefined;
    const all = liveLists(portal).filter((l) =>
      (!query || l.name.toLowerCase().includes(query)) && (!types?.length || types.includes(l.processingType)) && (!ids?.length || ids.includes(String(l.listId))));
    const lists = all.slice(offset, offset + count).map(searchJson);
    return c.json({ lists, total: all.length, offset: offset + lists.length, hasMore: offset + lists.length < all.length });
  });

  api.get('/crm/v3/lists/records/:objectTypeId/:recordId/memberships', (c) => {
    requireScopes(c, READ);
    const portal = authedPortal(ctx, c);
    const id = parseId(c.req.param('recordId'));
    const rec = id === undefined ? undefined : portal.objects.contacts.get(id);
    const results = !rec || c.req.param('objectTypeId') !== '0-1' ? [] : liveLists(portal).flatMap((l) => {
      const m = l.members.get(rec.id);
      return m ? [{ listId: String(l.listId), listVersion: l.listVersion, firstAddedTimestamp: iso(m.firstAdded), lastAddedTimestamp: iso(m.lastAdded), isPublicList: true }] : [];
    });
    return c.json({ results, total: results.length });
  });

  api.get('/crm/v3/lists/object-type-id/:objectTypeId/name/:name', (c) => {
    requireScopes(c, READ);
    const list = liveLists(authedPortal(ctx, c)).find((l) => l.name === c.req.param('name') && l.objectTypeId === c.req.param('objectTypeId'));
    if (!list) throw notFound(`List does not exist with name ${c.req.param('name')}.`);
    return c.json({ list: listJson(list, c.req.query('includeFilters') === 'true') });
  });

  api.get('/crm/v3/lists', (c) => {
    requireScopes(c, READ);
    const portal = authedPortal(ctx, c);
    const ids = c.req.queries('listIds') ?? [];
    const lists = ids.map((id) => portal.lists.get(parseId(id) ?? -1)).filter((l): l is ListDef => !!l && l.deletedAt === undefined);
    return c.json({ lists: lists.map((l) => listJson(l, c.req.query('includeFilters') === 'true')) });
  });

  api.post('/crm/v3/lists', async (c) => {
    requireScopes(c, WRITE);
    const body = await jsonBody(c);
    if (typeof body.objectTypeId !== 'string') throw validation('objectTypeId is required');
    const list = createList(ctx, authedPortal(ctx, c), {
      name: body.name as string, processingType: body.processingType as ListDef['processingType'],
      objectTypeId: body.objectTypeId, filterBranch: body.filterBranch,
    });
    return c.json({ list: listJson(list, true) });
  });

  api.get('/crm/v3/lists/:listId', (c) => {
    requireScopes(c, READ);
    return c.json({ list: listJson(getList(authedPortal(ctx, c), c.req.param('listId')), c.req.query('includeFilters') === 'true') });
  });

  api.delete('/crm/v3/lists/:listId', (c) => {
    requireScopes(c, WRITE);
    getList(authedPortal(ctx, c), c.req.param('listId')).deletedAt = ctx.now();
    ctx.touched();
    return c.body(null, 204);
  });

  api.put('/crm/v3/lists/:listId/restore', (c) => {
    requireScopes(c, WRITE);
    const list = authedPortal(ctx, c).lists.get(parseId(c.req.param('listId')) ?? -1);
    if (!list) throw notFound(`List does not exist with ID ${c.req.param('listId')}.`);
    list.deletedAt = undefined;
    ctx.touched();
    return c.body(null, 204);
  });

  api.put('/crm/v3/lists/:listId/update-list-name', (c) => {
    requireScopes(c, WRITE);
    const list = getList(authedPortal(ctx, c), c.req.param('listId'));
    const name = c.req.query('listName');
    if (!name) throw validation('listName is required');
    list.name = name;
    list.updatedAt = ctx.now();
    ctx.touched();
    return c.json({ updatedList: listJson(list, c.req.query('includeFilters') === 'true') });
  });

  api.put('/crm/v3/lists/:listId/update-list-filters', async (c) => {
    requireScopes(c, WRITE);
    const portal = authedPortal(ctx, c);
    const list = getList(portal, c.req.param('listId'));
    if (list.processingType !== 'DYNAMIC') throw validation(`List ${list.listId} is not a DYNAMIC list; only its filters can be changed.`);
    const body = await jsonBody(c);
    updateFilters(ctx, portal, list, body.filterBranch);
    return c.json({ updatedList: listJson(list, true) });
  });

  api.get('/crm/v3/lists/:listId/memberships/join-order', (c) => {
    requireScopes(c, READ);
    const list = getList(authedPortal(ctx, c), c.req.param('listId'));
    return c.json(page(c, list, joinOrdered(list), (id) => list.members.get(id)!.seq));
  });

  api.get('/crm/v3/lists/:listId/memberships', (c) => {
    requireScopes(c, READ);
    const list = getList(authedPortal(ctx, c), c.req.param('listId'));
    return c.json(page(c, list, sortedMembers(list), (id) => id));
  });

  const update = (c: HsContext, add: number[], remove: number[]) => {
    const portal = authedPortal(ctx, c);
    const list = getList(portal, c.req.param('listId') ?? '');
    assertManual(list);
    const removed = removeMembers(ctx, portal, list, remove.filter((id) => id > 0));
    const { added, missing } = addMembers(ctx, portal, list, add);
    const missingRemove = remove.filter((id) => id <= 0 || !portal.objects.contacts.get(id));
    return c.json({
      recordIdsRemoved: removed.map(String),
      recordsIdsAdded: added.map(String),
      recordIdsMissing: [...missing, ...missingRemove].map((id) => (id > 0 ? String(id) : 'invalid')),
    });
  };

  api.put('/crm/v3/lists/:listId/memberships/add', async (c) => {
    requireScopes(c, WRITE);
    return update(c, recordIds(await jsonBody<unknown>(c)), []);
  });

  api.put('/crm/v3/lists/:listId/memberships/remove', async (c) => {
    requireScopes(c, WRITE);
    return update(c, [], recordIds(await jsonBody<unknown>(c)));
  });

  api.put('/crm/v3/lists/:listId/memberships/add-and-remove', async (c) => {
    requireScopes(c, WRITE);
    const body = await jsonBody(c);
    return update(c, recordIds(body.recordIdsToAdd ?? []), recordIds(body.recordIdsToRemove ?? []));
  });

  api.put('/crm/v3/lists/:listId/memberships/add-from/:sourceListId', (c) => {
    requireScopes(c, WRITE);
    const portal = authedPortal(ctx, c);
    const list = getList(portal, c.req.param('listId'));
    assertManual(list);
    addMembers(ctx, portal, list, sortedMembers(getList(portal, c.req.param('sourceListId') ?? '')));
    return c.body(null, 204);
  });

  api.delete('/crm/v3/lists/:listId/memberships', (c) => {
    requireScopes(c, WRITE);
    const portal = authedPortal(ctx, c);
    const list = getList(portal, c.req.param('listId'));
    assertManual(list);
    removeMembers(ctx, portal, list, [...list.members.keys()]);
    return c.body(null, 204);
  });
}
