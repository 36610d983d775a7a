import { validation } from './errors.ts';
import { readProp } from './records.ts';
import type { Portal } from './state.ts';
import type { CrmRecord, FilterGroup, ObjectKind, SearchFilter } from './types.ts';

// CRM search filter semantics — OR across filterGroups, AND within one — compiled once into
// closures, because a search or a dynamic list may run them over 100,000+ records.

export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;

export const LIMITS = { groups: 5, filtersPerGroup: 10, filtersTotal: 25 };

export type RecordPredicate = (rec: CrmRecord, props: Record<string, string>) => boolean;

type Kind = 'number' | 'date' | 'string';

function valueKind(type: string): Kind {
  if (type === 'number') return 'number';
  if (type === 'date' || type === 'datetime') return 'date';
  return 'string';
}

/** Turns a filter operand or a stored value into something comparable for its property type. */
function comparable(kind: Kind, raw: string): number | string {
  if (kind === 'number') return Number(raw);
  if (kind === 'date') return /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return raw.toLowerCase();
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function tokenMatcher(value: string): (v: string) => boolean {
  const needle = value.toLowerCase().trim();
  if (needle.includes('*')) {
    const re = new RegExp(`(^|[^a-z0-9])${needle.split('*').map(escapeRe).join('.*')}($|[^a-z0-9])`, 'i');
    const whole = new RegExp(`^${needle.split('*').map(escapeRe).join('.*')}$`, 'i');
    return (v) => whole.test(v) || re.test(v);
  }
  const re = new RegExp(`(^|[^a-z0-9])${escapeRe(needle)}($|[^a-z0-9])`, 'i');
  return (v) => re.test(v);
}

function compileFilter(portal: Portal, kind: ObjectKind, f: SearchFilter): RecordPredicate {
  if (!f || typeof f.propertyName !== 'string') throw validation('Each filter needs a propertyName');
  const def = portal.schemas[kind].live(f.propertyName);
  if (!def) throw validation(`There was a problem with the request. Property ${f.propertyName} does not exist for ${kind}.`, { errors: [{ message: `Property "${f.propertyName}" does not exist`, code: 'PROPERTY_DOESNT_EXIST' }] });
  const op = f.operator;
  if (!(OPERATORS as readonly string[]).includes(op)) throw validation(`Invalid operator: ${String(op)}`);
  const name = def.name;
  const vk = valueKind(def.type);
  const get = (rec: CrmRecord, props: Record<string, string>) => readProp(portal, kind, rec, name, props);
  const need = (v: string | undefined, what = 'value'): string => {
    if (v === undefined || v === null) throw validation(`Operator ${op} on ${name} requires a ${what}`);
    return String(v);
  };
  const multi = def.fieldType === 'checkbox';
  const eqTest = (target: number | string) => (raw: string) =>
    multi ? raw.split(';').some((p) => comparable(vk, p) === target) : comparable(vk, raw) === target;
  switch (op) {
    case 'HAS_PROPERTY':
      return (r, p) => get(r, p) !== null;
    case 'NOT_HAS_PROPERTY':
      return (r, p) => get(r, p) === null;
    case 'EQ': {
      const t = eqTest(comparable(vk, need(f.value)));
      return (r, p) => {
        const v = get(r, p);
        return v !== null && t(v);
      };
    }
    case 'NEQ': {
      const t = eqTest(comparable(vk, need(f.value)));
      return (r, p) => {
        const v = get(r, p);
        return v === null || !t(v);
      };
    }
    case 'LT': case 'LTE': case 'GT': case 'GTE': {
      const target = comparable(vk, need(f.value));
      const cmp = { LT: (a: number | string) => a < target, LTE: (a: number | string) => a <= target, GT: (a: number | string) => a > target, GTE: (a: number | string) => a >= target }[op];
      return (r, p) => {
        const v = get(r, p);
        return v !== null && cmp(comparable(vk, v));
      };
    }
    case 'BETWEEN': {
      const lo = comparable(vk, need(f.value));
      const hi = comparable(vk, need(f.highValue, 'highValue'));
      return (r, p) => {
        const v = get(r, p);
        if (v === null) return false;
        const c = comparable(vk, v);
        return c >= lo && c <= hi;
      };
    }
    case 'IN': case 'NOT_IN': {
      if (!Array.isArray(f.values) || !f.values.length) throw validation(`Operator ${op} on ${name} requires values`);
      const set = new Set(f.values.map((v) => comparable(vk, String(v))));
      const hit = (raw: string) => (multi ? raw.split(';') : [raw]).some((x) => set.has(comparable(vk, x)));
      return op === 'IN'
        ? (r, p) => {
            const v = get(r, p);
            return v !== null && hit(v);
          }
        : (r, p) => {
            const v = get(r, p);
            return v === null || !hit(v);
          };
    }
    default: {
      const m = tokenMatcher(need(f.value));
      return op === 'CONTAINS_TOKEN'
        ? (r, p) => {
            const v = get(r, p);
            return v !== null && m(v);
          }
        : (r, p) => {
            const v = get(r, p);
            return v === null || !m(v);
          };
    }
  }
}

/** Validates HubSpot's limits and compiles the groups; no groups matches everything. */
export function compileFilterGroups(portal: Portal, kind: ObjectKind, groups: unknown): RecordPredicate {
  if (groups === undefined || groups === null) return () => true;
  if (!Array.isArray(groups)) throw validation('filterGroups must be an array');
  if (groups.length > LIMITS.groups) throw validation(`Too many filter groups: ${groups.length}. The maximum is ${LIMITS.groups}.`);
  let total = 0;
  const compiled = (groups as FilterGroup[]).map((g) => {
    const filters = Array.isArray(g?.filters) ? g.filters : [];
    if (filters.length > LIMITS.filtersPerGroup) throw validation(`Too many filters in a group: ${filters.length}. The maximum is ${LIMITS.filtersPerGroup}.`);
    total += filters.length;
    const preds = filters.map((f) => compileFilter(portal, kind, f));
    return (r: CrmRecord, p: Record<string, string>) => preds.every((pred) => pred(r, p));
  });
  if (total > LIMITS.filtersTotal) throw validation(`Too many filters: ${total}. The maximum is ${LIMITS.filtersTotal}.`);
  if (!compiled.length) return () => true;
  return (r, p) => compiled.some((g) => g(r, p));
}

/** Sort comparator for one property; nulls last, ties by id. */
export function compileSort(portal: Portal, kind: ObjectKind, propertyName: string, descending: boolean) {
  const def = portal.schemas[kind].live(propertyName);
  if (!def) throw validation(`Cannot sort by unknown property ${propertyName}`);
  const vk = valueKind(def.type);
  const dir = descending ? -1 : 1;
  return (a: { rec: CrmRecord; props: Record<string, string> }, b: { rec: CrmRecord; props: Record<string, string> }) => {
    const va = readProp(portal, kind, a.rec, propertyName, a.props);
    const vb = readProp(portal, kind, b.rec, propertyName, b.props);
    if (va === null || vb === null) return va === vb ? a.rec.id - b.rec.id : va === null ? 1 : -1;
    const ca = comparable(vk, va);
    const cb = comparable(vk, vb);
    if (ca < cb) return -dir;
    if (ca > cb) return dir;
    return a.rec.id - b.rec.id;
  };
}
