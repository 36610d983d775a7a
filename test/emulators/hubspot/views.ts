import { readProp } from './records.ts';
import { LAST_MODIFIED } from './property-defs.ts';
import type { Portal } from './state.ts';
import type { CrmRecord, ListDef, ObjectKind } from './types.ts';

// Read-only views of a portal for assertions: `emu.portal(id).contacts`, `.contact('a@b.test')`,
// `.deal(id).properties.dealstage`, `.list('VIPs').members` and so on.

export interface RecordView {
  id: number;
  /** Every stored value plus hs_object_id, createdate and the last-modified date. */
  properties: Record<string, string | null>;
  createdAt: Date;
  updatedAt: Date;
  archived: boolean;
}

export interface ListView {
  listId: number;
  name: string;
  processingType: string;
  /** Member contact ids, ascending. */
  members: number[];
  size: number;
}

function recordView(portal: Portal, kind: ObjectKind, rec: CrmRecord): RecordView {
  const properties: Record<string, string | null> = { ...rec.props };
  for (const name of ['hs_object_id', 'createdate', LAST_MODIFIED[kind]]) properties[name] = readProp(portal, kind, rec, name);
  return { id: rec.id, properties, createdAt: new Date(rec.createdAt), updatedAt: new Date(rec.updatedAt), archived: rec.archived };
}

function listView(l: ListDef): ListView {
  const members = [...l.members.keys()].sort((a, b) => a - b);
  return { listId: l.listId, name: l.name, processingType: l.processingType, members, size: members.length };
}

export class PortalView {
  constructor(readonly raw: Portal) {}

  get portalId() {
    return this.raw.portalId;
  }

  get hubDomain() {
    return this.raw.hubDomain;
  }

  get users() {
    return this.raw.users;
  }

  get owners() {
    return this.raw.owners;
  }

  get pipelines() {
    return this.raw.pipelines;
  }

  /** Live contacts (builds a view of each: fine for fixtures, slow for 100k — use contactCount). */
  get contacts(): RecordView[] {
    return this.live('contacts');
  }

  get deals(): RecordView[] {
    return this.live('deals');
  }

  get contactCount(): number {
    return this.raw.objects.contacts.liveCount();
  }

  get lists(): ListView[] {
    return [...this.raw.lists.values()].filter((l) => l.deletedAt === undefined).map(listView);
  }

  contact(ref: number | string): RecordView | undefined {
    const store = this.raw.objects.contacts;
    const rec = typeof ref === 'number' ? store.get(ref) : store.findByEmail(ref);
    return rec && recordView(this.raw, 'contacts', rec);
  }

  deal(id: number): RecordView | undefined {
    const rec = this.raw.objects.deals.get(id);
    return rec && recordView(this.raw, 'deals', rec);
  }

  list(ref: number | string): ListView | undefined {
    const l = typeof ref === 'number' ? this.raw.lists.get(ref) : [...this.raw.lists.values()].find((x) => x.name === ref && x.deletedAt === undefined);
    return l && l.deletedAt === undefined ? listView(l) : undefined;
  }

  contactsOfDeal(dealId: number): number[] {
    return this.raw.associations.contactsOf(dealId);
  }

  dealsOfContact(contactId: number): number[] {
    return this.raw.associations.dealsOf(contactId);
  }

  property(kind: ObjectKind, name: string) {
    return this.raw.schemas[kind].properties.get(name);
  }

  private live(kind: ObjectKind): RecordView[] {
    const out: RecordView[] = [];
    for (const rec of this.raw.objects[kind].byId.values()) if (!rec.archived) out.push(recordView(this.raw, kind, rec));
    return out;
  }
}
