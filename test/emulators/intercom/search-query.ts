// The contact-search query language (OAS 2.14 "Search contacts"): validation with Intercom's
// limits and compilation into a predicate. Segments reuse it for their membership rules.
import { invalid } from './errors.ts';
import type { ContactRec, DataAttributeRec, WorkspaceRec } from './state.ts';

export interface SearchFilter { field: string; operator: string; value?: unknown }
export interface SearchGroup { operator: 'AND' | 'OR'; value: SearchQuery[] }
export type SearchQuery = SearchFilter | SearchGroup;
export type Predicate = (c: ContactRec) => boolean;

type Kind = 'string' | 'integer' | 'date' | 'boolean' | 'tag' | 'segment';

const MAX_GROUP_DEPTH = 2;
const MAX_FILTERS_PER_GROUP = 15;

const OPERATORS: Record<Kind, readonly string[]> = {
  string: ['=', '!=', 'IN', 'NIN', '~', '!~', '^', '$'],
  integer: ['=', '!=', 'IN', 'NIN', '<', '>', '<=', '>='],
  // Intercom truncates dates to the day and refuses the operators that would need sub-day precision.
  date: ['=', '<', '>'],
  boolean: ['=', '!='],
  tag: ['=', '!='],
  segment: ['=', '!='],
};

type Getter = (c: ContactRec) => unknown;
const nothing: Getter = () => null;

const STANDARD: Record<string, { kind: Kind; get: Getter }> = {
  id: { kind: 'string', get: (c) => c.id },
  role: { kind: 'string', get: (c) => c.role },
  name: { kind: 'string', get: (c) => c.name },
  avatar: { kind: 'string', get: (c) => c.avatar },
  email: { kind: 'string', get: (c) => c.email },
  email_domain: { kind: 'string', get: (c) => emailDomain(c.email) || null },
  phone: { kind: 'string', get: (c) => c.phone },
  external_id: { kind: 'string', get: (c) => c.external_id },
  owner_id: { kind: 'integer', get: (c) => c.owner_id },
  created_at: { kind: 'date', get: (c) => c.created_at },
  signed_up_at: { kind: 'date', get: (c) => c.signed_up_at },
  updated_at: { kind: 'date', get: (c) => c.updated_at },
  last_seen_at: { kind: 'date', get: (c) => c.last_seen_at },
  last_contacted_at: { kind: 'date', get: (c) => c.last_contacted_at },
  last_replied_at: { kind: 'date', get: (c) => c.last_replied_at },
  last_email_opened_at: { kind: 'date', get: (c) => c.last_email_opened_at },
  last_email_clicked_at: { kind: 'date', get: (c) => c.last_email_clicked_at },
  language_override: { kind: 'string', get: (c) => c.language_override },
  browser: { kind: 'string', get: (c) => c.browser },
  browser_language: { kind: 'string', get: (c) => c.browser_language },
  os: { kind: 'string', get: (c) => c.os },
  'location.country': { kind: 'string', get: (c) => c.location.country },
  'location.region': { kind: 'string', get: (c) => c.location.region },
  'location.city': { kind: 'string', get: (c) => c.location.city },
  unsubscribed_from_emails: { kind: 'boolean', get: (c) => c.unsubscribed_from_emails },
  marked_email_as_spam: { kind: 'boolean', get: (c) => c.marked_email_as_spam },
  has_hard_bounced: { kind: 'boolean', get: (c) => c.has_hard_bounced },
  ios_last_seen_at: { kind: 'date', get: nothing },
  android_last_seen_at: { kind: 'date', get: nothing },
  segment_id: { kind: 'segment', get: nothing },
  tag_id: { kind: 'tag', get: nothing },
};
for (const f of ['ios_app_version', 'ios_device', 'ios_app_device', 'ios_os_version', 'ios_app_name', 'ios_sdk_version',
  'android_app_version', 'android_device', 'android_app_name', 'android_sdk_version', 'andoid_sdk_version']) {
  STANDARD[f] = { kind: 'string', get: nothing };
}

export const emailDomain = (email: string | null): string => (email && email.includes('@') ? email.split('@').pop()!.toLowerCase() : '');

export interface CompileContext {
  ws: WorkspaceRec;
  /** Segment rules may not reference other segments. */
  allowSegments: boolean;
  segmentPredicate?: (segmentId: string) => Predicate;
}

const isGroup = (q: SearchQuery): q is SearchGroup =>
  typeof q === 'object' && q !== null && !('field' in q) && (q.operator === 'AND' || q.operator === 'OR');

/** Validates against Intercom's limits and returns a predicate; throws 400 `parameter_invalid`. */
export function compileQuery(query: unknown, ctx: CompileContext): Predicate {
  if (typeof query !== 'object' || query === null) throw invalid('query must be an object', 'query');
  return compileNode(query as SearchQuery, ctx, 0);
}

function compileNode(node: SearchQuery, ctx: CompileContext, depth: number): Predicate {
  if (typeof node !== 'object' || node === null) throw invalid('Each filter must be an object');
  if (isGroup(node)) {
    if (depth + 1 > MAX_GROUP_DEPTH) throw invalid(`Search query can only be nested ${MAX_GROUP_DEPTH} levels deep`);
    if (!Array.isArray(node.value) || node.value.length === 0) throw invalid(`The value of an ${node.operator} group must be a non-empty array`);
    if (node.value.length > MAX_FILTERS_PER_GROUP) {
      throw invalid(`A maximum of ${MAX_FILTERS_PER_GROUP} filters is allowed in each AND or OR group`);
    }
    const parts = node.value.map((child) => compileNode(child, ctx, depth + 1));
    return node.operator === 'AND' ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  if ('field' in node) return compileFilter(node, ctx);
  throw invalid(`Unsupported operator ${JSON.stringify((node as { operator?: unknown }).operator)} for a group`);
}

function fieldInfo(field: string, ws: WorkspaceRec): { kind: Kind; get: Getter } {
  if (field.startsWith('custom_attributes.')) {
    const name = field.slice('custom_attributes.'.length);
    const attr = ws.data_attributes.find((a: DataAttributeRec) => a.custom && a.model === 'contact' && a.name === name && !a.archived);
    if (!attr) throw invalid(`${field} is not a valid search field`, field);
    const kind: Kind = attr.data_type === 'integer' || attr.data_type === 'float' ? 'integer'
      : attr.data_type === 'boolean' ? 'boolean'
        : attr.data_type === 'date' || attr.data_type === 'datetime' ? 'date' : 'string';
    return { kind, get: (c) => c.custom_attributes[name] ?? null };
  }
  const std = STANDARD[field];
  if (!std) throw invalid(`${field} is not a valid search field`, field);
  return std;
}

function compileFilter(f: SearchFilter, ctx: CompileContext): Predicate {
  if (typeof f.field !== 'string') throw invalid('field must be a string');
  const { kind, get } = fieldInfo(f.field, ctx.ws);
  const op = f.operator;
  if (typeof op !== 'string' || !OPERATORS[kind].includes(op)) {
    throw invalid(`Operator ${JSON.stringify(op)} is not supported for field ${f.field}`, f.field);
  }
  const value = f.value;
  if (kind === 'tag') return tagPredicate(op, value);
  if (kind === 'segment') return segmentPredicate(op, value, ctx);
  if (value === null || value === undefined) {
    if (op !== '=' && op !== '!=') throw invalid(`A value is required for operator ${op}`, f.field);
    const isEmpty = (c: ContactRec) => { const v = get(c); return v === null || v === undefined || v === ''; };
    return op === '=' ? isEmpty : (c) => !isEmpty(c);
  }
  if (op === 'IN' || op === 'NIN') {
    if (!Array.isArray(value)) throw invalid(`The value for ${op} must be an array`, f.field);
    const members = value.map((v) => scalar(kind, v, f.field));
    const hit = (c: ContactRec) => { const v = norm(kind, get(c)); return v !== null && members.includes(v); };
    return op === 'IN' ? hit : (c) => !hit(c);
  }
  if (Array.isArray(value)) throw invalid(`The value for ${op} can't be an array`, f.field);
  if (kind === 'date') return datePredicate(op, scalar('date', value, f.field) as number, get, ctx.ws.timezone);
  const want = scalar(kind, value, f.field);
  const read = (c: ContactRec) => norm(kind, get(c));
  switch (op) {
    case '=': return (c) => read(c) === want;
    case '!=': return (c) => read(c) !== want;
    case '<': return (c) => { const v = read(c); return v !== null && v < want!; };
    case '>': return (c) => { const v = read(c); return v !== null && v > want!; };
    case '<=': return (c) => { const v = read(c); return v !== null && v <= want!; };
    case '>=': return (c) => { const v = read(c); return v !== null && v >= want!; };
    case '~': return (c) => { const v = read(c); return typeof v === 'string' && v.includes(want as string); };
    case '!~': return (c) => { const v = read(c); return !(typeof v === 'string' && v.includes(want as string)); };
    case '^': return (c) => { const v = read(c); return typeof v === 'string' && v.startsWith(want as string); };
    case '$': return (c) => { const v = read(c); return typeof v === 'string' && v.endsWith(want as string); };
  }
  throw invalid(`Unsupported operator ${op}`, f.field);
}

/** Strings compare case-insensitively, as Intercom's search does. */
function norm(kind: Kind, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (kind === 'string') return String(v).toLowerCase();
  if (kind === 'integer' || kind === 'date') return typeof v === 'number' ? v : Number.isFinite(Number(v)) ? Number(v) : null;
  if (kind === 'boolean') return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null;
  return null;
}

function scalar(kind: Kind, v: unknown, field: string): string | number | boolean {
  if (kind === 'string') {
    if (typeof v !== 'string' && typeof v !== 'number') throw invalid(`The value for ${field} must be a string`, field);
    return String(v).toLowerCase();
  }
  if (kind === 'integer' || kind === 'date') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw invalid(`The value for ${field} must be ${kind === 'date' ? 'a UNIX timestamp' : 'a number'}`, field);
    return n;
  }
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalid(`The value for ${field} must be a boolean`, field);
}

function tagPredicate(op: string, value: unknown): Predicate {
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid('The value for tag_id must be a tag id', 'tag_id');
  const id = String(value);
  const has = (c: ContactRec) => c.tags.some((t) => t.id === id);
  return op === '=' ? has : (c) => !has(c);
}

function segmentPredicate(op: string, value: unknown, ctx: CompileContext): Predicate {
  if (!ctx.allowSegments || !ctx.segmentPredicate) throw invalid('segment_id cannot be used here', 'segment_id');
  if (typeof value !== 'string') throw invalid('The value for segment_id must be a segment id', 'segment_id');
  const member = ctx.segmentPredicate(value);
  return op === '=' ? member : (c) => !member(c);
}

// ---- dates: matched by calendar day in the workspace timezone (OAS 2.14 "Searching for Timestamp Fields")

const formatters = new Map<string, Intl.DateTimeFormat>();
function tzOffsetSeconds(ts: number, timezone: string): number {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timezone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ts * 1000))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000 - ts;
}

export function startOfDay(ts: number, timezone: string): number {
  const local = ts + tzOffsetSeconds(ts, timezone);
  const localMidnight = local - (((local % 86400) + 86400) % 86400);
  // The offset at midnight can differ from the offset at ts across a DST change.
  return localMidnight - tzOffsetSeconds(localMidnight - tzOffsetSeconds(ts, timezone), timezone);
}

function datePredicate(op: string, ts: number, get: Getter, timezone: string): Predicate {
  const dayStart = startOfDay(ts, timezone);
  const nextDay = startOfDay(dayStart + 30 * 3600, timezone);
  const read = (c: ContactRec) => { const v = get(c); return typeof v === 'number' ? v : null; };
  if (op === '=') return (c) => { const v = read(c); return v !== null && v >= dayStart && v < nextDay; };
  if (op === '>') return (c) => { const v = read(c); return v !== null && v >= nextDay; };
  return (c) => { const v = read(c); return v !== null && v < dayStart; };
}

/** True when the query mentions `custom_attributes.<name>` anywhere (archiving guard). */
export function queryMentions(query: SearchQuery | null, field: string): boolean {
  if (!query) return false;
  if (isGroup(query)) return query.value.some((q) => queryMentions(q, field));
  return (query as SearchFilter).field === field;
}
