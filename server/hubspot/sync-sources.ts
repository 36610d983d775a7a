import type { SyncRun } from '../db/schema.ts';
import type { HubspotApi } from './client.ts';
import { readContacts, type HsContact } from './contacts.ts';

// Where a contact sync reads from, one page at a time. Both sources page in an order in which new
// contacts come last — all contacts by id, a list's members by join order — so an ongoing sync
// re-reads only its last page and whatever was added after it, never the whole portal again.

export const PAGE = 100;

export interface SourcePage {
  /** contacts read in full (email and the mapped properties) */
  contacts: HsContact[];
  /** record ids the page named, in order (a list can name contacts that no longer exist) */
  ids: string[];
  /** cursor of the next page; null on the last */
  next: string | null;
}

export interface ContactSource {
  /** contacts there are to sync, for progress */
  total(): Promise<number | null>;
  /** one page after `cursor`; `skip` says which ids are already done and need not be read */
  page(cursor: string | null, skip: (ids: string[]) => Promise<Set<string>>): Promise<SourcePage>;
}

export function contactSource(api: HubspotApi, source: SyncRun['source'], properties: string[]): ContactSource {
  if (source.kind === 'list') return listSource(api, source.id!, properties);
  if (source.kind === 'all') return allContacts(api, properties);
  throw new Error(`HubSpot cannot sync from a ${source.kind}`);
}

function allContacts(api: HubspotApi, properties: string[]): ContactSource {
  return {
    async total() {
      const res = await api.call('count contacts', (c) => c.crm.contacts.searchApi.doSearch({ limit: 1, properties: ['email'], filterGroups: [] }), { search: true });
      return res.total;
    },
    async page(cursor, skip) {
      const res = await api.call('page through contacts', (c) => c.crm.contacts.basicApi.getPage(PAGE, cursor ?? undefined, properties));
      const ids = res.results.map((r) => String(r.id));
      const known = await skip(ids);
      return {
        ids,
        contacts: res.results.filter((r) => !known.has(String(r.id))).map((r) => ({ id: String(r.id), properties: r.properties ?? {} })),
        next: res.paging?.next?.after ?? null,
      };
    },
  };
}

function listSource(api: HubspotApi, listId: string, properties: string[]): ContactSource {
  return {
    async total() {
      const res = await api.call('read the list', (c) => c.crm.lists.listsApi.getById(listId));
      return res.list.size ?? null;
    },
    async page(cursor, skip) {
      // Join order, not record-id order: members added later always land after the cursor.
      const res = await api.call('page through list members', (c) => c.crm.lists.membershipsApi.getPageOrderedByAddedToListDate(listId, cursor ?? undefined, undefined, PAGE));
      const ids = res.results.map((r) => String(r.recordId));
      const known = await skip(ids);
      const wanted = ids.filter((id) => !known.has(id));
      const contacts = wanted.length ? (await readContacts(api, wanted, properties)).found : [];
      return { ids, contacts, next: res.paging?.next?.after ?? null };
    },
  };
}
