import { UI_SOURCE, type EmulatorContext } from './context.ts';
import { notFound, validation } from './errors.ts';
import { addMembers, createList, removeMembers, type NewList } from './list-store.ts';
import { archiveRecord, associate, createRecord, dissociate, mergeRecords, purgeRecord, restoreRecord, updateRecord } from './records.ts';
import type { CrmRecord, ObjectKind } from './types.ts';

// What a person clicking around the HubSpot UI would do. Unlike seeding, these raise webhooks with
// changeSource CRM_UI, exactly like API writes do with INTEGRATION.

export interface UiOptions {
  /** The HubSpot user acting; defaults to the portal's first user. */
  userId?: number;
}

/** A contact by id or email, a deal by id. */
export type RecordRef = number | string;

export function uiActions(ctx: EmulatorContext) {
  const src = (portalId: number, o?: UiOptions) => UI_SOURCE(o?.userId ?? ctx.portal(portalId).users[0]?.id);
  const find = (portalId: number, kind: ObjectKind, ref: RecordRef): CrmRecord => {
    const portal = ctx.portal(portalId);
    const store = portal.objects[kind];
    const rec = typeof ref === 'number' || /^\d+$/.test(ref) ? store.get(Number(ref)) : kind === 'contacts' ? store.findByEmail(ref) : undefined;
    if (!rec) throw notFound(`No ${kind === 'contacts' ? 'contact' : 'deal'} ${String(ref)} in portal ${portalId}`);
    return rec;
  };
  const list = (portalId: number, listId: number) => {
    const l = ctx.portal(portalId).lists.get(listId);
    if (!l || l.deletedAt !== undefined) throw notFound(`No list ${listId} in portal ${portalId}`);
    if (l.processingType === 'DYNAMIC') throw validation(`List ${listId} is DYNAMIC: change the contacts' data instead`);
    return l;
  };

  return {
    createContact(portalId: number, properties: Record<string, string>, o?: UiOptions): number {
      return createRecord(ctx, ctx.portal(portalId), 'contacts', properties, src(portalId, o)).id;
    },
    updateContact(portalId: number, contact: RecordRef, properties: Record<string, string>, o?: UiOptions): void {
      updateRecord(ctx, ctx.portal(portalId), 'contacts', find(portalId, 'contacts', contact), properties, src(portalId, o));
    },
    deleteContact(portalId: number, contact: RecordRef, o?: UiOptions): void {
      archiveRecord(ctx, ctx.portal(portalId), 'contacts', find(portalId, 'contacts', contact), src(portalId, o));
    },
    /** Restores a deleted contact from the recycle bin: raises contact.restore. */
    restoreContact(portalId: number, contactId: number, o?: UiOptions): void {
      const rec = ctx.portal(portalId).objects.contacts.get(contactId, true);
      if (!rec) throw notFound(`No deleted contact ${contactId} in portal ${portalId}`);
      restoreRecord(ctx, ctx.portal(portalId), 'contacts', rec, src(portalId, o));
    },
    /** GDPR "permanently delete": raises contact.privacyDeletion. */
    gdprDeleteContact(portalId: number, contact: RecordRef, o?: UiOptions): void {
      purgeRecord(ctx, ctx.portal(portalId), find(portalId, 'contacts', contact), src(portalId, o));
    },
    mergeContacts(portalId: number, primary: RecordRef, merged: RecordRef, o?: UiOptions): number {
      const a = find(portalId, 'contacts', primary);
      const b = find(portalId, 'contacts', merged);
      return mergeRecords(ctx, ctx.portal(portalId), 'contacts', a.id, b.id, src(portalId, o)).id;
    },
    createDeal(portalId: number, properties: Record<string, string>, o?: UiOptions & { contacts?: RecordRef[] }): number {
      const portal = ctx.portal(portalId);
      const deal = createRecord(ctx, portal, 'deals', properties, src(portalId, o));
      for (const c of o?.contacts ?? []) associate(ctx, portal, deal.id, find(portalId, 'contacts', c).id, src(portalId, o));
      return deal.id;
    },
    updateDeal(portalId: number, dealId: number, properties: Record<string, string>, o?: UiOptions): void {
      updateRecord(ctx, ctx.portal(portalId), 'deals', find(portalId, 'deals', dealId), properties, src(portalId, o));
    },
    /** Drags a deal to another stage (optionally of another pipeline) on the board. */
    moveDealStage(portalId: number, dealId: number, stageId: string, o?: UiOptions & { pipelineId?: string }): void {
      const props: Record<string, string> = { dealstage: stageId };
      if (o?.pipelineId) props.pipeline = o.pipelineId;
      updateRecord(ctx, ctx.portal(portalId), 'deals', find(portalId, 'deals', dealId), props, src(portalId, o));
    },
    deleteDeal(portalId: number, dealId: number, o?: UiOptions): void {
      archiveRecord(ctx, ctx.portal(portalId), 'deals', find(portalId, 'deals', dealId), src(portalId, o));
    },
    associate(portalId: number, dealId: number, contact: RecordRef, o?: UiOptions): boolean {
      return associate(ctx, ctx.portal(portalId), find(portalId, 'deals', dealId).id, find(portalId, 'contacts', contact).id, src(portalId, o));
    },
    dissociate(portalId: number, dealId: number, contact: RecordRef, o?: UiOptions): boolean {
      return dissociate(ctx, ctx.portal(portalId), find(portalId, 'deals', dealId).id, find(portalId, 'contacts', contact).id, src(portalId, o));
    },
    /** Property settings → validation rules → "only letters" (on, or off again): other values are refused with INVALID_ALPHA. */
    requireLettersOnly(portalId: number, kind: ObjectKind, property: string, on = true): void {
      const def = ctx.portal(portalId).schemas[kind].live(property);
      if (!def) throw notFound(`No ${kind} property ${property} in portal ${portalId}`);
      def.lettersOnly = on;
    },
    createList(portalId: number, def: NewList): number {
      return createList(ctx, ctx.portal(portalId), def).listId;
    },
    addToList(portalId: number, listId: number, contacts: RecordRef[]): number[] {
      const portal = ctx.portal(portalId);
      return addMembers(ctx, portal, list(portalId, listId), contacts.map((c) => find(portalId, 'contacts', c).id)).added;
    },
    removeFromList(portalId: number, listId: number, contacts: RecordRef[]): number[] {
      const portal = ctx.portal(portalId);
      return removeMembers(ctx, portal, list(portalId, listId), contacts.map((c) => find(portalId, 'contacts', c).id));
    },
  };
}

export type UiActions = ReturnType<typeof uiActions>;
