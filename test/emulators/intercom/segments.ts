// Segments are saved searches in Intercom. Here each holds a rule in the search query language
// (built from tag / role / attribute shorthands), so `segment_id` search, `include_count` and
// `GET /contacts/{id}/segments` always agree with the contact data. Not creatable via the API.
import { Hono } from 'hono';
import { getContact } from './contacts.ts';
import { resourceNotFound } from './errors.ts';
import { api, type ApiEnv } from './http.ts';
import { compileQuery, type Predicate, type SearchFilter, type SearchQuery } from './search-query.ts';
import type { AttrValue, ContactRec, Role, SegmentRec, Store, TagRec, WorkspaceRec } from './state.ts';

export interface SegmentDefinition {
  id?: string;
  name: string;
  /** `user` segments hold users, `contact` segments hold leads (Intercom's naming). Default from role or `user`. */
  person_type?: 'user' | 'contact';
  role?: Role;
  /** Members carry this tag (name or id; created when unknown). */
  tag?: string;
  /** Members have these exact attribute values (`custom_attributes.x` or standard fields). */
  attributes?: Record<string, AttrValue>;
  /** Any further rule in the search query language. */
  query?: SearchQuery;
}

export function buildSegment(
  store: Store, ws: WorkspaceRec, def: SegmentDefinition, resolveTag: (name: string) => TagRec,
): SegmentRec {
  const filters: SearchQuery[] = [];
  if (def.tag) filters.push({ field: 'tag_id', operator: '=', value: resolveTag(def.tag).id });
  for (const [field, value] of Object.entries(def.attributes ?? {})) {
    const f = field.includes('.') || isStandard(field) ? field : `custom_attributes.${field}`;
    filters.push({ field: f, operator: '=', value } satisfies SearchFilter);
  }
  if (def.query) filters.push(def.query);
  const query: SearchQuery | null = filters.length === 0 ? null : filters.length === 1 ? filters[0] : { operator: 'AND', value: filters };
  if (query) compileQuery(query, { ws, allowSegments: false }); // fail fast on a bad rule
  const now = store.nowSeconds();
  const seg: SegmentRec = {
    id: def.id ?? store.objectId(),
    name: def.name,
    person_type: def.person_type ?? (def.role === 'lead' ? 'contact' : 'user'),
    created_at: now,
    updated_at: now,
    query,
  };
  ws.segments.set(seg.id, seg);
  store.touch(ws);
  return seg;
}

const isStandard = (f: string) => ['role', 'name', 'email', 'email_domain', 'phone', 'external_id', 'owner_id', 'unsubscribed_from_emails'].includes(f);

const compiled = new WeakMap<WorkspaceRec, Map<string, { version: number; pred: Predicate }>>();

/** Membership predicate; unknown ids match nobody (a search on them returns an empty page). */
export function segmentPredicate(ws: WorkspaceRec, id: string): Predicate {
  let m = compiled.get(ws);
  if (!m) compiled.set(ws, (m = new Map()));
  const hit = m.get(id);
  if (hit && hit.version === ws.version) return hit.pred;
  const seg = ws.segments.get(id);
  let pred: Predicate = () => false;
  if (seg) {
    const role: Role = seg.person_type === 'contact' ? 'lead' : 'user';
    const rule = seg.query ? compileQuery(seg.query, { ws, allowSegments: false }) : () => true;
    pred = (c) => c.role === role && !c.archived && rule(c);
  }
  m.set(id, { version: ws.version, pred });
  return pred;
}

export function segmentCount(ws: WorkspaceRec, seg: SegmentRec): number {
  const pred = segmentPredicate(ws, seg.id);
  let n = 0;
  for (const c of ws.contacts.values()) if (pred(c)) n++;
  return n;
}

export const contactSegments = (ws: WorkspaceRec, c: ContactRec): SegmentRec[] =>
  [...ws.segments.values()].filter((s) => segmentPredicate(ws, s.id)(c));

export function renderSegment(ws: WorkspaceRec, s: SegmentRec, includeCount = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'segment', id: s.id, name: s.name, created_at: s.created_at, updated_at: s.updated_at, person_type: s.person_type,
  };
  if (includeCount) out.count = segmentCount(ws, s);
  return out;
}

export function segmentRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/segments', (c) => {
    const { ws } = api(c);
    const withCount = c.req.query('include_count') === 'true';
    return c.json({ type: 'segment.list', segments: [...ws.segments.values()].map((s) => renderSegment(ws, s, withCount)) });
  });
  r.get('/segments/:id', (c) => {
    const { ws } = api(c);
    const seg = ws.segments.get(c.req.param('id'));
    if (!seg) throw resourceNotFound();
    return c.json(renderSegment(ws, seg));
  });
  r.get('/contacts/:id/segments', (c) => {
    const { ws } = api(c);
    const contact = getContact(ws, c.req.param('id'));
    return c.json({ type: 'list', data: contactSegments(ws, contact).map((s) => renderSegment(ws, s)) });
  });
  return r;
}
