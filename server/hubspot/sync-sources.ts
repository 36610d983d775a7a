import type { SyncRun } from '../db/schema.ts';
import type { HubspotApi } from './client.ts';
import { readContacts, type HsContact } from './contacts.ts';
import { readAhead } from '../platform/read-ahead.ts';

// Where a contact sync reads from, one page at a time. Both sources page in an order in which new
// contacts come last — all contacts by id, a list's members by join order — so an ongoing sync
// re-reads only its last page and whatever was added after it, never the whole portal again.

/** HubSpot pages a list's members up to 250 at a time; 200 are exactly two full batch reads. */
export const LIST_PAGE = 200;
/** The most contacts HubSpot's contacts endpoint pages at a time. */
export const CONTACTS_PAGE = 100;
/** Pages a sync reads ahead of the one it enrols; a crash re-reads at most these and that one. */
export const READ_AHEAD = 12;
/** The longest the first page waits for the others read ahead with it; a slow HubSpot still shows progress soon. */
const BURST_MS = 1000;

export interface SourcePage {
  /** contacts read in full (email and the mapped properties) */
  contacts: HsContact[];
  /** record ids the page named, in order (a list can name contacts that no longer exist) */
  ids: string[];
  /** cursor of the next page; null on the last */
  next: string | null;
}

/** One page of ids; `contacts` when the listing already carries them in full. */
export interface Listing {
  ids: string[];
  next: string | null;
  contacts?: HsContact[];
}

export interface ContactSource {
  /** contacts there are to sync, for progress */
  total(): Promise<number | null>;
  /** the page after `cursor` */
  list(cursor: string | null): Promise<Listing>;
  /** contacts of a listing that did not carry them, read in full */
  read(ids: string[]): Promise<HsContact[]>;
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
    async list(cursor) {
      const res = await api.call('page through contacts', (c) => c.crm.contacts.basicApi.getPage(CONTACTS_PAGE, cursor ?? undefined, properties));
      const contacts = res.results.map((r) => ({ id: String(r.id), properties: r.properties ?? {} }));
      return { ids: contacts.map((c) => c.id), contacts, next: res.paging?.next?.after ?? null };
    },
    async read() {
      return [];
    },
  };
}

function listSource(api: HubspotApi, listId: string, properties: string[]): ContactSource {
  return {
    async total() {
      const res = await api.call('read the list', (c) => c.crm.lists.listsApi.getById(listId));
      return res.list.size ?? null;
    },
    async list(cursor) {
      // Join order, not record-id order: members added later always land after the cursor.
      const res = await api.call('page through list members', (c) => c.crm.lists.membershipsApi.getPageOrderedByAddedToListDate(listId, cursor ?? undefined, undefined, LIST_PAGE));
      return { ids: res.results.map((r) => String(r.recordId)), next: res.paging?.next?.after ?? null };
    },
    async read(ids) {
      return (await readContacts(api, ids, properties)).found;
    },
  };
}

/**
 * The pages after `cursor`, in order, read ahead of the one being enrolled: HubSpot's budget is
 * spent as it comes free rather than one page's round trips at a time, and a sync's opening burst,
 * whose pace a rolling limit repeats in every later window, is not held up by enrolment.
 * `skip` says which ids are already done and need not be read.
 */
export function pagesAfter(source: ContactSource, cursor: string | null, skip: (ids: string[]) => Promise<Set<string>>): AsyncGenerator<SourcePage> {
  return readAhead<Listing, SourcePage>({
    first: () => source.list(cursor),
    next: async (l) => (l.next ? source.list(l.next) : null),
    map: async (l) => {
      const known = await skip(l.ids);
      const wanted = l.ids.filter((id) => !known.has(id));
      const contacts = l.contacts ? l.contacts.filter((c) => !known.has(c.id)) : wanted.length ? await source.read(wanted) : [];
      return { ids: l.ids, contacts, next: l.next };
    },
    ahead: READ_AHEAD,
    burstMs: BURST_MS,
  });
}
