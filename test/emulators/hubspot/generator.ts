import type { EmulatorContext } from './context.ts';
import { invalidate, recomputeDynamicLists } from './list-store.ts';
import type { Portal } from './state.ts';

// Large portals for sync and benchmark tests. 100,000 contacts in a tight loop: no validation, no
// change events, no per-record copies — each record holds only the few values it was given, and
// derived values (id, dates) are computed on read. Deterministic for a given portal and offset.

const FIRST = ['Ada', 'Bo', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea', 'Max', 'Nia', 'Oto', 'Pia'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Chen', 'Okafor', 'Novak', 'Silva', 'Kim', 'Muller', 'Rossi', 'Sato', 'Berg'];
const STAGES = ['subscriber', 'lead', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'customer'];

export interface GenerateOptions {
  /** Domain of generated emails (default `gen.refcard.test`). */
  emailDomain?: string;
  /** createdate of the first contact (ms); the rest follow `spacingMs` apart. Default: n minutes ago. */
  startAt?: number;
  spacingMs?: number;
  /** Extra values per contact; return only what you need, it is stored as-is (strings). */
  properties?: (i: number) => Record<string, string> | undefined;
  /** Put every k-th contact into this list (by id) — a quick way to build a big list. */
  addToList?: { listId: number; every?: number };
}

export interface GenerateResult {
  count: number;
  firstId: number;
  lastId: number;
}

export function generateContacts(ctx: EmulatorContext, portal: Portal, n: number, o: GenerateOptions = {}): GenerateResult {
  const store = portal.objects.contacts;
  const domain = o.emailDomain ?? 'gen.refcard.test';
  const spacing = o.spacingMs ?? 60_000;
  const start = o.startAt ?? ctx.now() - n * spacing;
  const firstId = store.nextId;
  const offset = firstId;
  const list = o.addToList ? portal.lists.get(o.addToList.listId) : undefined;
  if (o.addToList && !list) throw new Error(`No list ${o.addToList.listId} in portal ${portal.portalId}`);
  const every = o.addToList?.every ?? 1;
  for (let i = 0; i < n; i++) {
    const id = store.allocateId();
    const k = offset + i;
    const first = FIRST[k % FIRST.length];
    const last = LAST[(k >>> 4) % LAST.length];
    const email = `${first.toLowerCase()}.${last.toLowerCase()}.${k}@${domain}`;
    const props: Record<string, string> = { email, firstname: first, lastname: last, lifecyclestage: STAGES[k % STAGES.length] };
    const extra = o.properties?.(i);
    if (extra) Object.assign(props, extra);
    const at = start + i * spacing;
    store.byId.set(id, { id, props, createdAt: at, updatedAt: at, archived: false });
    store.order.push(id);
    store.emailIndex.set(email, id);
    if (list && i % every === 0) list.members.set(id, { firstAdded: at, lastAdded: at, seq: ++portal.joinSeq });
  }
  if (list) invalidate(list);
  recomputeDynamicLists(ctx, portal);
  ctx.touched();
  return { count: n, firstId, lastId: store.nextId - 1 };
}
