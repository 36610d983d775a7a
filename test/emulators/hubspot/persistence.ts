import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EmulatorState, ObjectStore, Portal, Schema } from './state.ts';
import type { ListDef, ObjectKind } from './types.ts';

// The whole emulator state as one JSON document, so a sandbox restart keeps the same portals, ids
// and tokens. Maps become arrays of entries; nothing derived (caches, compiled filters) is stored.

const FORMAT = 1;
const KINDS: ObjectKind[] = ['contacts', 'deals'];

function dumpStore(s: ObjectStore) {
  return { nextId: s.nextId, records: [...s.byId.values()].map(({ prev: _prev, ...r }) => r), mergedInto: [...s.mergedInto] };
}

function dumpPortal(p: Portal) {
  return {
    portalId: p.portalId, hubDomain: p.hubDomain, timezone: p.timezone, users: p.users, owners: p.owners,
    nextListId: p.nextListId, nextOwnerId: p.nextOwnerId, joinSeq: p.joinSeq, pipelines: p.pipelines,
    objects: Object.fromEntries(KINDS.map((k) => [k, dumpStore(p.objects[k])])),
    schemas: Object.fromEntries(KINDS.map((k) => [k, { properties: [...p.schemas[k].properties.values()], groups: [...p.schemas[k].groups.values()] }])),
    lists: [...p.lists.values()].map((l) => ({ ...l, members: [...l.members] })),
    associations: p.associations.pairs(),
  };
}

export function serializeState(state: EmulatorState, clockOffset: number): string {
  return JSON.stringify({
    format: FORMAT,
    clockOffset,
    counters: {
      nextAppId: state.nextAppId, nextPortalId: state.nextPortalId, nextUserId: state.nextUserId,
      nextSubscriptionId: state.nextSubscriptionId, nextEventId: state.nextEventId,
    },
    apps: [...state.apps.values()],
    portals: [...state.portals.values()].map(dumpPortal),
    installations: [...state.installations.values()],
    codes: [...state.codes.values()],
    accessTokens: [...state.accessTokens.values()],
    refreshTokens: [...state.refreshTokens.values()],
  });
}

type Dump = ReturnType<typeof JSON.parse>;

function loadPortal(d: Dump): Portal {
  const p = new Portal(d.portalId, 0, d.hubDomain);
  p.timezone = d.timezone;
  p.users = d.users;
  p.owners = d.owners;
  p.nextListId = d.nextListId;
  p.nextOwnerId = d.nextOwnerId;
  p.joinSeq = d.joinSeq;
  p.pipelines = d.pipelines;
  for (const k of KINDS) {
    const store = p.objects[k];
    for (const r of d.objects[k].records) store.insert(r);
    store.nextId = d.objects[k].nextId;
    for (const [from, to] of d.objects[k].mergedInto) store.mergedInto.set(from, to);
    // Merged-away emails keep pointing at the record they were merged into.
    for (const r of d.objects[k].records) {
      if (k === 'contacts' && r.archived && r.props.email && store.mergedInto.has(r.id)) {
        store.emailIndex.set(String(r.props.email).toLowerCase(), store.mergedInto.get(r.id)!);
      }
    }
    const schema = new Schema(k, 0);
    schema.properties = new Map(d.schemas[k].properties.map((x: { name: string }) => [x.name, x]));
    schema.groups = new Map(d.schemas[k].groups.map((x: { name: string }) => [x.name, x]));
    p.schemas[k] = schema;
  }
  for (const l of d.lists as (Omit<ListDef, 'members'> & { members: [number, ListDef['members'] extends Map<number, infer M> ? M : never][] })[]) {
    p.lists.set(l.listId, { ...l, members: new Map(l.members) });
  }
  for (const [deal, contact] of d.associations) p.associations.add(deal, contact);
  return p;
}

export function deserializeState(json: string): { state: EmulatorState; clockOffset: number } {
  const d = JSON.parse(json);
  if (d.format !== FORMAT) throw new Error(`Unsupported emulator state format ${String(d.format)}`);
  const state = new EmulatorState();
  Object.assign(state, d.counters);
  for (const a of d.apps) state.apps.set(a.appId, a);
  for (const p of d.portals) state.portals.set(p.portalId, loadPortal(p));
  for (const i of d.installations) state.installations.set(`${i.appId}:${i.portalId}`, i);
  for (const c of d.codes) state.codes.set(c.code, c);
  for (const t of d.accessTokens) state.accessTokens.set(t.token, t);
  for (const t of d.refreshTokens) state.refreshTokens.set(t.token, t);
  return { state, clockOffset: d.clockOffset ?? 0 };
}

export function loadStateFile(file: string) {
  return existsSync(file) ? deserializeState(readFileSync(file, 'utf8')) : undefined;
}

/** Write-then-rename, so a crash mid-write never leaves half a file behind. */
export function writeStateFile(file: string, json: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, json);
  renameSync(tmp, file);
}
