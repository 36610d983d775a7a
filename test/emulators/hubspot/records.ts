import type { EmulatorContext } from './context.ts';
import { HsError, invalidPropertyValues } from './errors.ts';
import { checkWrite } from './property-values.ts';
import { LAST_MODIFIED } from './property-defs.ts';
import type { Portal } from './state.ts';
import type { ChangeSource, CrmRecord, ObjectKind } from './types.ts';

// Every write to contacts and deals goes through here — API routes, UI actions and seeding alike —
// so validation, unique emails, timestamps and change events behave the same whoever writes.

/** A property's value as HubSpot would return it, derived ones included; null when unset. */
export function readProp(portal: Portal, kind: ObjectKind, rec: CrmRecord, name: string, props = rec.props): string | null {
  switch (name) {
    case 'hs_object_id':
      return String(rec.id);
    case 'createdate':
      return props.createdate ?? new Date(rec.createdAt).toISOString();
    case LAST_MODIFIED[kind]:
      return new Date(rec.updatedAt).toISOString();
  }
  if (kind === 'contacts') {
    if (name === 'hs_email_domain') return props.email?.split('@')[1]?.toLowerCase() ?? null;
    if (name === 'num_associated_deals') return String(portal.associations.contactToDeals.get(rec.id)?.size ?? 0);
    if (name === 'hs_merged_object_ids') return rec.mergedIds?.length ? rec.mergedIds.join(';') : null;
  } else {
    if (name === 'num_associated_contacts') return String(portal.associations.dealToContacts.get(rec.id)?.size ?? 0);
    if (name === 'hs_is_closed' || name === 'hs_is_closed_won') {
      const stage = portal.stage(props.pipeline ?? 'default', props.dealstage ?? '');
      if (!stage) return 'false';
      return String(name === 'hs_is_closed' ? stage.isClosed : stage.isClosed && stage.probability === 1);
    }
  }
  const v = props[name];
  return v === undefined || v === '' ? null : v;
}

function assertEmailFree(portal: Portal, email: string | undefined, selfId?: number): void {
  if (!email) return;
  const existing = portal.objects.contacts.findByEmail(email);
  if (existing && existing.id !== selfId) {
    throw new HsError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
  }
}

function applyDealDefaults(portal: Portal, values: Record<string, string>): void {
  if (!values.pipeline) values.pipeline = 'default';
  if (!values.dealstage) {
    const first = portal.pipelines.find((p) => p.id === values.pipeline)?.stages[0];
    if (first) values.dealstage = first.id;
  }
}

/** Validates without writing, so a batch can fail as a whole before anything changes. */
export function prepareCreate(portal: Portal, kind: ObjectKind, properties: unknown): Record<string, string> {
  const { values, errors } = checkWrite(portal, kind, properties);
  if (errors.length) throw invalidPropertyValues(errors, portal.portalId);
  if (kind === 'contacts') assertEmailFree(portal, values.email);
  if (kind === 'deals') applyDealDefaults(portal, values);
  for (const k of Object.keys(values)) if (values[k] === '') delete values[k];
  return values;
}

export function prepareUpdate(portal: Portal, kind: ObjectKind, rec: CrmRecord, properties: unknown): Record<string, string> {
  const { values, errors } = checkWrite(portal, kind, properties, rec.props);
  if (errors.length) throw invalidPropertyValues(errors, portal.portalId);
  if (kind === 'contacts' && values.email) assertEmailFree(portal, values.email, rec.id);
  return values;
}

export function insertRecord(
  ctx: EmulatorContext,
  portal: Portal,
  kind: ObjectKind,
  values: Record<string, string>,
  source: ChangeSource | null,
): CrmRecord {
  const store = portal.objects[kind];
  const at = ctx.now();
  const rec: CrmRecord = { id: store.allocateId(), props: values, createdAt: at, updatedAt: at, archived: false };
  store.insert(rec);
  if (source) {
    ctx.emit(portal.portalId, source, { kind: 'creation', objectKind: kind, objectId: rec.id, props: { ...values } });
    for (const [propertyName, propertyValue] of Object.entries(values)) {
      ctx.emit(portal.portalId, source, { kind: 'propertyChange', objectKind: kind, objectId: rec.id, propertyName, propertyValue });
    }
  } else {
    ctx.touched();
  }
  return rec;
}

export function createRecord(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, properties: unknown, source: ChangeSource | null): CrmRecord {
  return insertRecord(ctx, portal, kind, prepareCreate(portal, kind, properties), source);
}

/** Writes already-validated values; emits a propertyChange only for values that really changed. */
export function applyUpdate(
  ctx: EmulatorContext,
  portal: Portal,
  kind: ObjectKind,
  rec: CrmRecord,
  values: Record<string, string>,
  source: ChangeSource | null,
): CrmRecord {
  const changed = Object.entries(values).filter(([k, v]) => (rec.props[k] ?? '') !== v);
  rec.prev = { props: { ...rec.props }, updatedAt: rec.updatedAt };
  const store = portal.objects[kind];
  for (const [k, v] of changed) {
    if (kind === 'contacts' && k === 'email') {
      if (rec.props.email) store.emailIndex.delete(rec.props.email.toLowerCase());
      if (v) store.emailIndex.set(v.toLowerCase(), rec.id);
    }
    if (v === '') delete rec.props[k];
    else rec.props[k] = v;
  }
  // HubSpot bumps the modification date on every accepted write, changed or not.
  rec.updatedAt = Math.max(ctx.now(), rec.updatedAt);
  for (const [propertyName, propertyValue] of changed) {
    if (source) ctx.emit(portal.portalId, source, { kind: 'propertyChange', objectKind: kind, objectId: rec.id, propertyName, propertyValue });
  }
  if (!source || !changed.length) ctx.touched();
  return rec;
}

export function updateRecord(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, rec: CrmRecord, properties: unknown, source: ChangeSource | null): CrmRecord {
  return applyUpdate(ctx, portal, kind, rec, prepareUpdate(portal, kind, rec, properties), source);
}

export function archiveRecord(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, rec: CrmRecord, source: ChangeSource | null): void {
  if (rec.archived) return;
  const at = ctx.now();
  rec.archived = true;
  rec.archivedAt = at;
  rec.updatedAt = at;
  if (kind === 'contacts') {
    if (rec.props.email) portal.objects.contacts.emailIndex.delete(rec.props.email.toLowerCase());
    portal.associations.dropContact(rec.id);
  } else {
    portal.associations.dropDeal(rec.id);
  }
  if (source) ctx.emit(portal.portalId, source, { kind: 'deletion', objectKind: kind, objectId: rec.id });
  else ctx.touched();
}

/** Brings back a deleted record (its associations and list memberships stay gone, as in HubSpot). */
export function restoreRecord(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, rec: CrmRecord, source: ChangeSource | null): void {
  if (!rec.archived || portal.objects[kind].mergedInto.has(rec.id)) return;
  if (kind === 'contacts') assertEmailFree(portal, rec.props.email, rec.id);
  rec.archived = false;
  rec.archivedAt = undefined;
  rec.updatedAt = Math.max(ctx.now(), rec.updatedAt);
  if (kind === 'contacts' && rec.props.email) portal.objects.contacts.emailIndex.set(rec.props.email.toLowerCase(), rec.id);
  if (source) ctx.emit(portal.portalId, source, { kind: 'restore', objectKind: kind, objectId: rec.id });
  else ctx.touched();
}

/** GDPR delete: the record and its values are gone for good (only the id stays reserved). */
export function purgeRecord(ctx: EmulatorContext, portal: Portal, rec: CrmRecord, source: ChangeSource | null): void {
  archiveRecord(ctx, portal, 'contacts', rec, null);
  rec.props = {};
  rec.prev = undefined;
  if (source) ctx.emit(portal.portalId, source, { kind: 'privacyDeletion', objectKind: 'contacts', objectId: rec.id });
}

/**
 * Merges `mergedId` into `primaryId`: the primary keeps its id and its values win; gaps are filled
 * from the merged contact, whose associations move over and whose id thereafter resolves to the
 * primary.
 */
export function mergeRecords(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, primaryId: number, mergedId: number, source: ChangeSource | null): CrmRecord {
  const store = portal.objects[kind];
  const primary = store.get(primaryId);
  const merged = store.get(mergedId);
  if (!primary || !merged) throw new HsError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId: ${primary ? mergedId : primaryId}`);
  if (primary.id === merged.id) throw new HsError(400, 'VALIDATION_ERROR', 'Cannot merge an object with itself');
  let moved = 0;
  const mergedEmail = merged.props.email;
  for (const [k, v] of Object.entries(merged.props)) {
    if (k === 'email' || primary.props[k] !== undefined) continue;
    primary.props[k] = v;
    moved++;
  }
  if (kind === 'contacts') {
    for (const deal of portal.associations.dealsOf(merged.id)) portal.associations.add(deal, primary.id);
  } else {
    for (const c of portal.associations.contactsOf(merged.id)) portal.associations.add(primary.id, c);
  }
  archiveRecord(ctx, portal, kind, merged, null);
  // The merged contact's email stays an identifier of the primary, as it does in HubSpot.
  if (kind === 'contacts' && mergedEmail) store.emailIndex.set(mergedEmail.toLowerCase(), primary.id);
  store.mergedInto.set(merged.id, primary.id);
  for (const [from, to] of store.mergedInto) if (to === merged.id) store.mergedInto.set(from, primary.id);
  primary.mergedIds = [...(primary.mergedIds ?? []), merged.id, ...(merged.mergedIds ?? [])];
  primary.updatedAt = Math.max(ctx.now(), primary.updatedAt);
  if (source) {
    ctx.emit(portal.portalId, source, {
      kind: 'merge', objectKind: kind, primaryObjectId: primary.id, mergedObjectIds: [merged.id],
      newObjectId: primary.id, numberOfPropertiesMoved: moved,
    });
  } else {
    ctx.touched();
  }
  return primary;
}

export function associate(ctx: EmulatorContext, portal: Portal, dealId: number, contactId: number, source: ChangeSource | null): boolean {
  const added = portal.associations.add(dealId, contactId);
  if (added) emitAssociation(ctx, portal, dealId, contactId, false, source);
  return added;
}

export function dissociate(ctx: EmulatorContext, portal: Portal, dealId: number, contactId: number, source: ChangeSource | null): boolean {
  const removed = portal.associations.remove(dealId, contactId);
  if (removed) emitAssociation(ctx, portal, dealId, contactId, true, source);
  return removed;
}

function emitAssociation(ctx: EmulatorContext, portal: Portal, dealId: number, contactId: number, removed: boolean, source: ChangeSource | null) {
  if (!source) return ctx.touched();
  // HubSpot reports an association from both ends.
  ctx.emit(portal.portalId, source, { kind: 'associationChange', fromKind: 'deals', fromObjectId: dealId, toKind: 'contacts', toObjectId: contactId, removed });
  ctx.emit(portal.portalId, source, { kind: 'associationChange', fromKind: 'contacts', fromObjectId: contactId, toKind: 'deals', toObjectId: dealId, removed });
}
