import { AssociationStore } from './association-store.ts';
import { defaultSchema } from './property-defs.ts';
import type {
  AccessToken, AuthCode, CrmRecord, Installation, ListDef, ObjectKind, Owner, PipelineDef,
  PortalUser, PropertyDef, PropertyGroupDef, RefreshToken, RegisteredApp,
} from './types.ts';

// All emulator state lives in these classes: one EmulatorState holding apps, OAuth grants and
// portals. Nothing here does I/O; routes and drivers read and mutate it through records.ts etc.

export class ObjectStore {
  readonly byId = new Map<number, CrmRecord>();
  /** Ids ascending, archived included. Ids only grow, so appending keeps it sorted; paging bisects it. */
  readonly order: number[] = [];
  /** Lower-cased email → id; contacts only (HubSpot treats email as the contact's unique key). */
  readonly emailIndex = new Map<string, number>();
  /** A merged-away id keeps answering with the record it was merged into, as in HubSpot. */
  readonly mergedInto = new Map<number, number>();

  constructor(readonly kind: ObjectKind, public nextId: number) {}

  allocateId(): number {
    return this.nextId++;
  }

  insert(rec: CrmRecord): void {
    this.byId.set(rec.id, rec);
    const last = this.order[this.order.length - 1];
    if (last === undefined || rec.id > last) this.order.push(rec.id);
    else this.order.splice(lowerBound(this.order, rec.id), 0, rec.id);
    if (rec.id >= this.nextId) this.nextId = rec.id + 1;
    const email = rec.props.email;
    if (this.kind === 'contacts' && email && !rec.archived) this.emailIndex.set(email.toLowerCase(), rec.id);
  }

  /** Follows merges; `archived` selects archived (true) or live (false) records. */
  get(id: number, archived = false): CrmRecord | undefined {
    const target = this.mergedInto.get(id);
    const rec = target === undefined ? this.byId.get(id) : this.byId.get(target);
    if (!rec || rec.archived !== archived) return undefined;
    return rec;
  }

  findByEmail(email: string): CrmRecord | undefined {
    const id = this.emailIndex.get(email.trim().toLowerCase());
    return id === undefined ? undefined : this.get(id);
  }

  liveCount(): number {
    let n = 0;
    for (const rec of this.byId.values()) if (!rec.archived) n++;
    return n;
  }
}

export function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Schema {
  properties: Map<string, PropertyDef>;
  groups: Map<string, PropertyGroupDef>;

  constructor(kind: ObjectKind, at: number) {
    const s = defaultSchema(kind, at);
    this.properties = s.properties;
    this.groups = s.groups;
  }

  /** A live (not archived) property definition. */
  live(name: string): PropertyDef | undefined {
    const p = this.properties.get(name);
    return p && !p.archived ? p : undefined;
  }
}

export const DEFAULT_STAGES: [string, string, number, boolean][] = [
  ['appointmentscheduled', 'Appointment Scheduled', 0.2, false],
  ['qualifiedtobuy', 'Qualified To Buy', 0.4, false],
  ['presentationscheduled', 'Presentation Scheduled', 0.6, false],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', 0.8, false],
  ['contractsent', 'Contract Sent', 0.9, false],
  ['closedwon', 'Closed Won', 1, true],
  ['closedlost', 'Closed Lost', 0, true],
];

export function defaultPipeline(at: number): PipelineDef {
  return {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    createdAt: at,
    updatedAt: at,
    stages: DEFAULT_STAGES.map(([id, label, probability, isClosed], i) => ({ id, label, displayOrder: i, probability, isClosed })),
  };
}

export class Portal {
  hubDomain: string;
  timezone = 'America/New_York';
  users: PortalUser[] = [];
  owners: Owner[] = [];
  readonly objects: Record<ObjectKind, ObjectStore>;
  readonly schemas: Record<ObjectKind, Schema>;
  pipelines: PipelineDef[];
  readonly lists = new Map<number, ListDef>();
  nextListId = 1;
  nextOwnerId = 1;
  /** Bumped per list membership add, so join-order stays total. */
  joinSeq = 0;
  readonly associations = new AssociationStore();

  constructor(readonly portalId: number, at: number, hubDomain?: string) {
    this.hubDomain = hubDomain ?? `portal-${portalId}.emulated.hubspot.test`;
    this.objects = { contacts: new ObjectStore('contacts', 1001), deals: new ObjectStore('deals', 5001) };
    this.schemas = { contacts: new Schema('contacts', at), deals: new Schema('deals', at) };
    this.pipelines = [defaultPipeline(at)];
  }

  user(userId: number): PortalUser | undefined {
    return this.users.find((u) => u.id === userId);
  }

  stage(pipelineId: string, stageId: string) {
    return this.pipelines.find((p) => p.id === pipelineId)?.stages.find((s) => s.id === stageId);
  }

  /** Adds a user and the owner HubSpot creates for every user. */
  addUser(user: PortalUser, at: number): PortalUser {
    this.users.push(user);
    this.owners.push({
      id: String(this.nextOwnerId++ + 70_000_000),
      email: user.email,
      firstName: user.firstName ?? '',
      lastName: user.lastName ?? '',
      userId: user.id,
      createdAt: at,
      updatedAt: at,
      archived: false,
      teams: [],
    });
    return user;
  }
}

export class EmulatorState {
  readonly apps = new Map<number, RegisteredApp>();
  readonly portals = new Map<number, Portal>();
  readonly installations = new Map<string, Installation>();
  readonly codes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  nextAppId = 1_000_001;
  nextPortalId = 40_000_001;
  nextUserId = 9_000_001;
  nextSubscriptionId = 1_001;
  nextEventId = 3_800_000_001;

  app(appId: number): RegisteredApp | undefined {
    return this.apps.get(appId);
  }

  appByClientId(clientId: string): RegisteredApp | undefined {
    for (const app of this.apps.values()) if (app.clientId === clientId) return app;
    return undefined;
  }

  installation(appId: number, portalId: number): Installation | undefined {
    return this.installations.get(`${appId}:${portalId}`);
  }
}
