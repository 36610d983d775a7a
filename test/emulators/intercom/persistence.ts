// Saves and restores the emulator's state as JSON, so sandbox mode keeps its workspace (and the
// tokens the app holds) across restarts. Derived indexes are rebuilt on load, not stored.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { indexContact } from './contacts.ts';
import {
  newWorkspace, type AdminRec, type AppRec, type CompanyRec, type ContactRec, type ConversationRec, type DataAttributeRec,
  type InstallRec, type SegmentRec, type Store, type TagRec,
} from './state.ts';

const FORMAT = 1;

interface SavedWorkspace {
  id_code: string; name: string; region: string; timezone: string; created_at: number;
  admins: AdminRec[]; contacts: ContactRec[]; merged_ids: string[]; tags: TagRec[]; segments: SegmentRec[];
  data_attributes: DataAttributeRec[]; companies: CompanyRec[]; conversations: ConversationRec[];
}

export interface SavedState {
  format: number;
  savedAt: string;
  counters: Store['counters'];
  apps: AppRec[];
  installs: InstallRec[];
  workspaces: SavedWorkspace[];
}

export function serialize(store: Store): SavedState {
  return {
    format: FORMAT,
    savedAt: new Date(store.now()).toISOString(),
    counters: { ...store.counters },
    apps: [...store.apps.values()],
    installs: [...store.installs.values()],
    workspaces: [...store.workspaces.values()].map((ws) => ({
      id_code: ws.id_code, name: ws.name, region: ws.region, timezone: ws.timezone, created_at: ws.created_at,
      admins: [...ws.admins.values()],
      contacts: [...ws.contacts.values()],
      merged_ids: [...ws.merged_ids],
      tags: [...ws.tags.values()],
      segments: [...ws.segments.values()],
      data_attributes: ws.data_attributes,
      companies: [...ws.companies.values()],
      conversations: [...ws.conversations.values()],
    })),
  };
}

export function restore(store: Store, saved: SavedState): void {
  if (saved.format !== FORMAT) throw new Error(`Intercom emulator: unsupported state file format ${saved.format}`);
  store.counters = { ...store.counters, ...saved.counters };
  store.apps = new Map(saved.apps.map((a) => [a.client_id, a]));
  store.installs = new Map(saved.installs.map((i) => [i.token, i]));
  store.workspaces = new Map();
  for (const s of saved.workspaces) {
    const ws = newWorkspace(s.id_code, s.name, s.created_at, s.region, s.timezone);
    for (const a of s.admins) ws.admins.set(a.id, a);
    // Insertion order of the map is the list/search order, so restore by creation sequence.
    for (const c of [...s.contacts].sort((a, b) => a.seq - b.seq)) { ws.contacts.set(c.id, c); indexContact(ws, c); }
    for (const id of s.merged_ids) ws.merged_ids.add(id);
    for (const t of s.tags) ws.tags.set(t.id, t);
    for (const g of s.segments) ws.segments.set(g.id, g);
    ws.data_attributes = s.data_attributes;
    for (const co of s.companies) ws.companies.set(co.id, co);
    for (const cv of s.conversations) ws.conversations.set(cv.id, cv);
    store.workspaces.set(ws.id_code, ws);
  }
  store.touch();
}

export function saveStateFile(store: Store, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(serialize(store)));
  renameSync(tmp, file); // atomic: a crash mid-write never leaves half a file
}

/** Loads the file when it exists; returns whether it did. */
export function loadStateFile(store: Store, file: string): boolean {
  if (!existsSync(file)) return false;
  restore(store, JSON.parse(readFileSync(file, 'utf8')) as SavedState);
  return true;
}
