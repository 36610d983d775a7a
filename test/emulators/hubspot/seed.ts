import type { EmulatorContext } from './context.ts';
import { createGroup, createProperty } from './properties.ts';
import { associate, createRecord } from './records.ts';
import { addMembers, createList } from './list-store.ts';
import { Portal } from './state.ts';
import type { FilterGroup, ListProcessingType, ObjectKind, PortalUser } from './types.ts';

// Seeding a portal from a plain fixture object. Seeding is set-up, not activity: it raises no
// webhooks. Records can be referred to by a `key`, their id or (contacts) their email.

export interface PortalOptions {
  portalId?: number;
  hubDomain?: string;
  timezone?: string;
  users?: { id?: number; email: string; firstName?: string; lastName?: string }[];
}

export interface PortalFixture {
  hubDomain?: string;
  timezone?: string;
  users?: PortalOptions['users'];
  /** Extra deal pipelines; the default sales pipeline is always there. */
  pipelines?: { id: string; label: string; stages: { id: string; label: string; probability?: number; isClosed?: boolean }[] }[];
  groups?: Partial<Record<ObjectKind, { name: string; label: string; displayOrder?: number }[]>>;
  /** Custom property definitions, as POST /crm/v3/properties/{objectType} takes them. */
  properties?: Partial<Record<ObjectKind, Record<string, unknown>[]>>;
  contacts?: { key?: string; properties: Record<string, string>; createdAt?: string | number }[];
  deals?: { key?: string; properties: Record<string, string>; contacts?: (string | number)[]; createdAt?: string | number }[];
  lists?: {
    name: string;
    processingType?: ListProcessingType;
    /** MANUAL/SNAPSHOT members: contact keys, ids or emails. */
    members?: (string | number)[];
    /** DYNAMIC rule in search syntax … */
    filterGroups?: FilterGroup[];
    /** … or the short form: every property must equal the value. */
    where?: Record<string, string>;
  }[];
}

export interface SeedResult {
  contacts: Record<string, number>;
  deals: Record<string, number>;
  lists: Record<string, number>;
}

export function createPortal(ctx: EmulatorContext, opts: PortalOptions = {}): Portal {
  const portalId = opts.portalId ?? ctx.state.nextPortalId++;
  if (ctx.state.portals.has(portalId)) throw new Error(`Portal ${portalId} already exists`);
  if (portalId >= ctx.state.nextPortalId) ctx.state.nextPortalId = portalId + 1;
  const portal = new Portal(portalId, ctx.now(), opts.hubDomain);
  if (opts.timezone) portal.timezone = opts.timezone;
  const users = opts.users?.length ? opts.users : [{ email: `admin@portal-${portalId}.refcard.test`, firstName: 'Ada', lastName: 'Admin' }];
  for (const u of users) addUser(ctx, portal, u);
  ctx.state.portals.set(portalId, portal);
  ctx.touched();
  return portal;
}

export function addUser(ctx: EmulatorContext, portal: Portal, u: { id?: number; email: string; firstName?: string; lastName?: string }): PortalUser {
  const id = u.id ?? ctx.state.nextUserId++;
  if (id >= ctx.state.nextUserId) ctx.state.nextUserId = id + 1;
  return portal.addUser({ id, email: u.email, firstName: u.firstName, lastName: u.lastName }, ctx.now());
}

function toMs(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : Date.parse(v);
}

export function seedPortal(ctx: EmulatorContext, portal: Portal, f: PortalFixture): SeedResult {
  const result: SeedResult = { contacts: {}, deals: {}, lists: {} };
  if (f.hubDomain) portal.hubDomain = f.hubDomain;
  if (f.timezone) portal.timezone = f.timezone;
  for (const u of f.users ?? []) addUser(ctx, portal, u);
  for (const p of f.pipelines ?? []) {
    const at = ctx.now();
    portal.pipelines = portal.pipelines.filter((x) => x.id !== p.id);
    portal.pipelines.push({
      id: p.id, label: p.label, displayOrder: portal.pipelines.length, createdAt: at, updatedAt: at,
      stages: p.stages.map((s, i) => ({ id: s.id, label: s.label, displayOrder: i, probability: s.probability ?? 0, isClosed: s.isClosed ?? false })),
    });
  }
  for (const kind of ['contacts', 'deals'] as const) {
    for (const g of f.groups?.[kind] ?? []) if (!portal.schemas[kind].groups.has(g.name)) createGroup(ctx, portal, kind, g);
    for (const p of f.properties?.[kind] ?? []) if (!portal.schemas[kind].properties.has(String(p.name))) createProperty(ctx, portal, kind, p);
  }
  const contactRef = (ref: string | number): number => {
    if (typeof ref === 'number') return ref;
    if (result.contacts[ref] !== undefined) return result.contacts[ref];
    const rec = portal.objects.contacts.findByEmail(ref);
    if (!rec) throw new Error(`Fixture refers to unknown contact ${ref}`);
    return rec.id;
  };
  for (const [i, c] of (f.contacts ?? []).entries()) {
    const rec = createRecord(ctx, portal, 'contacts', c.properties, null);
    const created = toMs(c.createdAt);
    if (created !== undefined) rec.createdAt = rec.updatedAt = created;
    result.contacts[c.key ?? c.properties.email ?? String(i)] = rec.id;
  }
  for (const [i, d] of (f.deals ?? []).entries()) {
    const rec = createRecord(ctx, portal, 'deals', d.properties, null);
    const created = toMs(d.createdAt);
    if (created !== undefined) rec.createdAt = rec.updatedAt = created;
    for (const ref of d.contacts ?? []) associate(ctx, portal, rec.id, contactRef(ref), null);
    result.deals[d.key ?? d.properties.dealname ?? String(i)] = rec.id;
  }
  for (const l of f.lists ?? []) {
    const filterGroups = l.filterGroups ?? (l.where ? [{ filters: Object.entries(l.where).map(([propertyName, value]) => ({ propertyName, operator: 'EQ', value })) }] : undefined);
    const list = createList(ctx, portal, { name: l.name, processingType: l.processingType ?? (filterGroups ? 'DYNAMIC' : 'MANUAL'), filterGroups });
    if (l.members?.length) addMembers(ctx, portal, list, l.members.map(contactRef));
    result.lists[l.name] = list.listId;
  }
  ctx.touched();
  return result;
}
