import type { EmulatorContext } from './context.ts';
import { conflict, validation } from './errors.ts';
import { compileFilterGroups, type RecordPredicate } from './filters.ts';
import type { Portal } from './state.ts';
import type { ChangeEnvelope, FilterGroup, ListDef, ListProcessingType, SearchFilter } from './types.ts';

// Contact lists. MANUAL and SNAPSHOT lists change only when told to; DYNAMIC lists are defined by
// search-style filterGroups and re-evaluated on every contact change, so membership follows data.

const predicates = new WeakMap<ListDef, RecordPredicate>();
const sortedIds = new WeakMap<ListDef, number[]>();
const joinIds = new WeakMap<ListDef, number[]>();

export interface NewList {
  name: string;
  processingType?: ListProcessingType;
  objectTypeId?: string;
  filterGroups?: FilterGroup[];
  filterBranch?: unknown;
}

function predicate(portal: Portal, list: ListDef): RecordPredicate {
  let p = predicates.get(list);
  if (!p) predicates.set(list, (p = compileFilterGroups(portal, 'contacts', list.filterGroups ?? [])));
  return p;
}

export function invalidate(list: ListDef): void {
  sortedIds.delete(list);
  joinIds.delete(list);
}

/** Members in the order they joined; cached because paging a 100k list asks for it 400 times. */
export function joinOrdered(list: ListDef): number[] {
  let s = joinIds.get(list);
  if (!s) joinIds.set(list, (s = [...list.members.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([id]) => id)));
  return s;
}

export function sortedMembers(list: ListDef): number[] {
  let s = sortedIds.get(list);
  if (!s) sortedIds.set(list, (s = [...list.members.keys()].sort((a, b) => a - b)));
  return s;
}

export function liveLists(portal: Portal): ListDef[] {
  return [...portal.lists.values()].filter((l) => l.deletedAt === undefined);
}

/** Adds records; returns which were added (new members) and which records do not exist. */
export function addMembers(ctx: EmulatorContext, portal: Portal, list: ListDef, ids: number[]): { added: number[]; missing: number[] } {
  const added: number[] = [];
  const missing: number[] = [];
  const at = ctx.now();
  for (const id of ids) {
    const rec = portal.objects.contacts.get(id);
    if (!rec) {
      missing.push(id);
      continue;
    }
    if (list.members.has(rec.id)) continue;
    list.members.set(rec.id, { firstAdded: at, lastAdded: at, seq: ++portal.joinSeq });
    added.push(rec.id);
  }
  if (added.length) {
    invalidate(list);
    list.updatedAt = at;
  }
  ctx.touched();
  return { added, missing };
}

export function removeMembers(ctx: EmulatorContext, portal: Portal, list: ListDef, ids: number[]): number[] {
  const removed = ids.filter((id) => list.members.delete(id));
  if (removed.length) {
    invalidate(list);
    list.updatedAt = ctx.now();
  }
  ctx.touched();
  return removed;
}

/** Evaluates a DYNAMIC list (or fills a SNAPSHOT) against every live contact. */
export function recompute(ctx: EmulatorContext, portal: Portal, list: ListDef): void {
  const p = predicate(portal, list);
  const at = ctx.now();
  const keep = new Set<number>();
  for (const id of portal.objects.contacts.order) {
    const rec = portal.objects.contacts.byId.get(id)!;
    if (!rec.archived && p(rec, rec.props)) keep.add(id);
  }
  for (const id of list.members.keys()) if (!keep.has(id)) list.members.delete(id);
  for (const id of keep) if (!list.members.has(id)) list.members.set(id, { firstAdded: at, lastAdded: at, seq: ++portal.joinSeq });
  invalidate(list);
}

export function recomputeDynamicLists(ctx: EmulatorContext, portal: Portal): void {
  for (const l of liveLists(portal)) if (l.processingType === 'DYNAMIC') recompute(ctx, portal, l);
}

export function createList(ctx: EmulatorContext, portal: Portal, input: NewList): ListDef {
  if (!input.name || typeof input.name !== 'string') throw validation('name is required');
  const type = input.processingType ?? 'MANUAL';
  if (!['MANUAL', 'DYNAMIC', 'SNAPSHOT'].includes(type)) throw validation(`Invalid processingType: ${String(type)}`);
  if ((input.objectTypeId ?? '0-1') !== '0-1') throw validation('Only contact lists (objectTypeId 0-1) are emulated');
  if (liveLists(portal).some((l) => l.name === input.name)) throw conflict(`A list named '${input.name}' already exists.`);
  const filterGroups = input.filterGroups ?? (input.filterBranch ? filterBranchToGroups(input.filterBranch) : undefined);
  if (type === 'DYNAMIC' && !filterGroups) throw validation('DYNAMIC lists need a filterBranch');
  const at = ctx.now();
  const list: ListDef = {
    listId: portal.nextListId++, name: input.name, objectTypeId: '0-1', processingType: type,
    createdAt: at, updatedAt: at, listVersion: 1, filterGroups, filterBranch: input.filterBranch, members: new Map(),
  };
  compileFilterGroups(portal, 'contacts', filterGroups ?? []);
  portal.lists.set(list.listId, list);
  if (filterGroups && type !== 'MANUAL') recompute(ctx, portal, list);
  ctx.touched();
  return list;
}

/** New filters for a DYNAMIC list: a new listVersion and membership recomputed from scratch. */
export function updateFilters(ctx: EmulatorContext, portal: Portal, list: ListDef, filterBranch: unknown): void {
  const filterGroups = filterBranchToGroups(filterBranch);
  compileFilterGroups(portal, 'contacts', filterGroups);
  list.filterGroups = filterGroups;
  list.filterBranch = filterBranch;
  list.listVersion++;
  list.updatedAt = ctx.now();
  predicates.delete(list);
  recompute(ctx, portal, list);
  ctx.touched();
}

/** Keeps lists in step with contact changes: dynamic membership, deletions and merges. */
export function onContactChange(ctx: EmulatorContext, e: ChangeEnvelope): void {
  const ch = e.change;
  const portal = ctx.state.portals.get(e.portalId);
  if (!portal) return;
  if ('objectKind' in ch && ch.objectKind !== 'contacts') return;
  if (ch.kind === 'deletion' || ch.kind === 'privacyDeletion') {
    for (const l of portal.lists.values()) if (l.members.delete(ch.objectId)) invalidate(l);
    return;
  }
  if (ch.kind === 'merge') {
    for (const l of portal.lists.values()) {
      for (const id of ch.mergedObjectIds) {
        const m = l.members.get(id);
        if (!m) continue;
        l.members.delete(id);
        if (!l.members.has(ch.primaryObjectId)) l.members.set(ch.primaryObjectId, m);
        invalidate(l);
      }
    }
    reevaluate(ctx, portal, ch.primaryObjectId);
    return;
  }
  if (ch.kind === 'creation' || ch.kind === 'propertyChange' || ch.kind === 'restore') reevaluate(ctx, portal, ch.objectId);
}

function reevaluate(ctx: EmulatorContext, portal: Portal, contactId: number): void {
  const rec = portal.objects.contacts.get(contactId);
  const at = ctx.now();
  for (const l of liveLists(portal)) {
    if (l.processingType !== 'DYNAMIC') continue;
    const inList = !!rec && predicate(portal, l)(rec, rec.props);
    if (inList && !l.members.has(contactId)) {
      l.members.set(contactId, { firstAdded: at, lastAdded: at, seq: ++portal.joinSeq });
      invalidate(l);
    } else if (!inList && l.members.delete(contactId)) {
      invalidate(l);
    }
  }
}

const OPERATOR_MAP: Record<string, SearchFilter['operator']> = {
  IS_EQUAL_TO: 'EQ', IS_NOT_EQUAL_TO: 'NEQ', IS_ANY_OF: 'IN', IS_NONE_OF: 'NOT_IN',
  IS_KNOWN: 'HAS_PROPERTY', IS_UNKNOWN: 'NOT_HAS_PROPERTY', CONTAINS: 'CONTAINS_TOKEN', DOES_NOT_CONTAIN: 'NOT_CONTAINS_TOKEN',
  IS_GREATER_THAN: 'GT', IS_GREATER_THAN_OR_EQUAL_TO: 'GTE', IS_LESS_THAN: 'LT', IS_LESS_THAN_OR_EQUAL_TO: 'LTE', IS_BETWEEN: 'BETWEEN',
};

/**
 * The subset of the Lists API filterBranch grammar the emulator understands: an OR root of AND
 * branches of PROPERTY filters. Anything else is refused rather than silently misread.
 */
export function filterBranchToGroups(branch: unknown): FilterGroup[] {
  const root = branch as { filterBranchType?: string; filterBranches?: unknown[] };
  if (root?.filterBranchType !== 'OR' || !Array.isArray(root.filterBranches)) throw validation('filterBranch must be an OR branch of AND branches');
  return root.filterBranches.map((b) => {
    const and = b as { filterBranchType?: string; filters?: unknown[] };
    if (and?.filterBranchType !== 'AND') throw validation('Only AND branches are supported inside the OR branch');
    return {
      filters: (and.filters ?? []).map((f) => {
        const pf = f as { filterType?: string; property?: string; operation?: Record<string, unknown> };
        if (pf.filterType !== 'PROPERTY' || !pf.property || !pf.operation) throw validation('Only PROPERTY filters are supported');
        const op = OPERATOR_MAP[String(pf.operation.operator)];
        if (!op) throw validation(`Unsupported list filter operator: ${String(pf.operation.operator)}`);
        const values = (pf.operation.values as unknown[] | undefined)?.map(String);
        const value = pf.operation.value ?? pf.operation.lowerBound ?? values?.[0];
        const out: SearchFilter = { propertyName: pf.property, operator: op };
        if (op === 'IN' || op === 'NOT_IN') out.values = values ?? (value === undefined ? [] : [String(value)]);
        else if (value !== undefined) out.value = op.includes('CONTAINS') ? `*${String(value)}*` : String(value);
        if (op === 'BETWEEN') out.highValue = String(pf.operation.upperBound ?? pf.operation.highValue ?? '');
        return out;
      }),
    };
  });
}
