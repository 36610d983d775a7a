// Contact search and list: cursor pagination (opaque base64 cursors, `pages.next` omitted on
// the last page so the SDK stops), the search-lag knob, and a per-query cache so paging through
// 100k contacts costs one scan, not one per page.
import { Hono } from 'hono';
import { renderContact } from './contact-view.ts';
import { invalid } from './errors.ts';
import { api, readJson, type ApiEnv } from './http.ts';
import { compileQuery, type Predicate } from './search-query.ts';
import { segmentPredicate } from './segments.ts';
import type { ContactRec, Store, WorkspaceRec } from './state.ts';

export const SEARCH_DEFAULT_PER_PAGE = 50;
/** Docs say 50 and the SDK docstring 15, but the live API answers 10 (Intercom-OpenAPI#639). */
export const LIST_DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 150;

interface CacheEntry { version: number; items: ContactRec[] }
const caches = new WeakMap<WorkspaceRec, Map<string, CacheEntry>>();
const CACHE_SIZE = 32;

/** Matching contacts in creation order. Results are cached only when no contact is lagging. */
function matching(store: Store, ws: WorkspaceRec, key: string, pred: Predicate, honourLag: boolean): ContactRec[] {
  let cache = caches.get(ws);
  if (!cache) caches.set(ws, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.version === ws.version) return hit.items;
  const now = store.now();
  let lagging = false;
  const items: ContactRec[] = [];
  for (const c of ws.contacts.values()) {
    if (c.archived) continue;
    if (honourLag && c.searchable_at > now) { lagging = true; continue; }
    if (pred(c)) items.push(c);
  }
  if (!lagging) {
    cache.delete(key);
    cache.set(key, { version: ws.version, items });
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return items;
}

// Intercom's cursors are base64 JSON arrays; ours carry the last contact's creation order.
const encodeCursor = (c: ContactRec): string => Buffer.from(JSON.stringify([c.seq, c.id])).toString('base64');
function decodeCursor(cursor: string): number {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  } catch { /* fall through */ }
  throw invalid('starting_after is not a valid cursor', 'starting_after');
}

function parsePerPage(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1) throw invalid('per_page must be a positive integer', 'per_page');
  if (n > MAX_PER_PAGE) throw invalid(`per_page must be less than or equal to ${MAX_PER_PAGE}`, 'per_page');
  return n;
}

export interface ContactPage {
  type: 'list';
  data: Record<string, unknown>[];
  total_count: number;
  pages: { type: 'pages'; page: number; per_page: number; total_pages: number; next?: { page: number; per_page: number; starting_after: string } };
}

function pageOf(ws: WorkspaceRec, items: ContactRec[], perPage: number, startingAfter?: string): ContactPage {
  let start = 0;
  if (startingAfter) {
    const seq = decodeCursor(startingAfter);
    let lo = 0, hi = items.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (items[mid].seq <= seq) lo = mid + 1; else hi = mid; }
    start = lo;
  }
  const slice = items.slice(start, start + perPage);
  const page = Math.floor(start / perPage) + 1;
  const pages: ContactPage['pages'] = { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(items.length / perPage) };
  if (start + perPage < items.length) pages.next = { page: page + 1, per_page: perPage, starting_after: encodeCursor(slice[slice.length - 1]) };
  return { type: 'list', data: slice.map((c) => renderContact(ws, c)), total_count: items.length, pages };
}

export function searchContacts(store: Store, ws: WorkspaceRec, body: Record<string, unknown>): ContactPage {
  if (body.query === undefined) throw invalid('query is required', 'query');
  const pred = compileQuery(body.query, { ws, allowSegments: true, segmentPredicate: (id) => segmentPredicate(ws, id) });
  const pagination = (body.pagination ?? {}) as { per_page?: unknown; starting_after?: unknown };
  const perPage = parsePerPage(pagination.per_page, SEARCH_DEFAULT_PER_PAGE);
  const after = typeof pagination.starting_after === 'string' && pagination.starting_after !== '' ? pagination.starting_after : undefined;
  return pageOf(ws, matching(store, ws, `search:${JSON.stringify(body.query)}`, pred, true), perPage, after);
}

export function listContacts(store: Store, ws: WorkspaceRec, perPage?: string, startingAfter?: string): ContactPage {
  const items = matching(store, ws, 'list', () => true, false);
  return pageOf(ws, items, parsePerPage(perPage, LIST_DEFAULT_PER_PAGE), startingAfter || undefined);
}

export function searchRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.post('/contacts/search', async (c) => {
    const { store, ws } = api(c);
    return c.json(searchContacts(store, ws, await readJson(c)));
  });
  r.get('/contacts', (c) => {
    const { store, ws } = api(c);
    return c.json(listContacts(store, ws, c.req.query('per_page'), c.req.query('starting_after')));
  });
  return r;
}
