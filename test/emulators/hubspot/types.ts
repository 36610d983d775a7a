// Shared shapes of the HubSpot emulator. Everything here is plain data so the whole state can be
// written to JSON (persistence.ts) and read back without loss.

export type ObjectKind = 'contacts' | 'deals';
/** The singular names HubSpot uses in webhook subscriptions and legacy event types. */
export type ObjectSingular = 'contact' | 'deal';

export const OBJECT_TYPE_IDS: Record<ObjectKind, string> = { contacts: '0-1', deals: '0-3' };
export const SINGULAR: Record<ObjectKind, ObjectSingular> = { contacts: 'contact', deals: 'deal' };

export interface WebhookSubscriptionConfig {
  subscriptionType: string;
  objectType?: string;
  propertyName?: string;
  active?: boolean;
}

/** Same shape as `config` of a project's webhooks-hsmeta.json, flattened a little. */
export interface AppWebhooksConfig {
  targetUrl: string;
  maxConcurrentRequests?: number;
  subscriptions: {
    crmObjects?: WebhookSubscriptionConfig[];
    legacyCrmObjects?: WebhookSubscriptionConfig[];
    hubEvents?: WebhookSubscriptionConfig[];
  };
}

export interface AppConfig {
  appId: number;
  clientId: string;
  clientSecret: string;
  redirectUrls: string[];
  /** Required scopes: the authorize URL must ask for all of them. */
  scopes: string[];
  optionalScopes?: string[];
  permittedFetchOrigins: string[];
  webhooks?: AppWebhooksConfig;
  /** local.json-style map: public origin → origin actually called (e.g. a server on 127.0.0.1). */
  fetchProxy?: Record<string, string>;
  /** Query parameters hubspot.fetch appends; null/[] appends none. */
  cardIdentityParams?: string[];
  name?: string;
}

export interface RegisteredSubscription extends WebhookSubscriptionConfig {
  id: number;
  style: 'crmObjects' | 'legacyCrmObjects' | 'hubEvents';
}

export interface RegisteredApp extends AppConfig {
  subscriptions: RegisteredSubscription[];
}

export interface PortalUser {
  id: number;
  email: string;
  firstName?: string;
  lastName?: string;
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  teams: { id: string; name: string; primary: boolean }[];
}

export interface CrmRecord {
  id: number;
  /** Only values that were set; hs_object_id, createdate and last-modified are derived on read. */
  props: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** The version before the last write, for the search index-lag knob. */
  prev?: { props: Record<string, string>; updatedAt: number };
  mergedIds?: number[];
}

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder?: number;
  hidden: boolean;
  description?: string;
}

export interface PropertyDef {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hasUniqueValue: boolean;
  calculated: boolean;
  externalOptions: boolean;
  hubspotDefined: boolean;
  showCurrencySymbol?: boolean;
  referencedObjectType?: string;
  readOnlyValue: boolean;
  /** An admin's validation rule "only letters" (HubSpot enforces such rules on API writes too). */
  lettersOnly?: boolean;
  readOnlyDefinition: boolean;
  archivable: boolean;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
}

export interface PropertyGroupDef {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  hubspotDefined: boolean;
}

export interface PipelineStageDef {
  id: string;
  label: string;
  displayOrder: number;
  probability: number;
  isClosed: boolean;
}

export interface PipelineDef {
  id: string;
  label: string;
  displayOrder: number;
  stages: PipelineStageDef[];
  createdAt: number;
  updatedAt: number;
}

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string;
  values?: string[];
  highValue?: string;
}
export interface FilterGroup {
  filters: SearchFilter[];
}

export type ListProcessingType = 'MANUAL' | 'DYNAMIC' | 'SNAPSHOT';

export interface ListMember {
  firstAdded: number;
  lastAdded: number;
  /** Monotonic join sequence so join-order is stable when timestamps tie. */
  seq: number;
}

export interface ListDef {
  listId: number;
  name: string;
  objectTypeId: string;
  processingType: ListProcessingType;
  createdAt: number;
  updatedAt: number;
  listVersion: number;
  deletedAt?: number;
  /** Membership rule of DYNAMIC lists (and the initial fill of SNAPSHOT ones), in search syntax. */
  filterGroups?: FilterGroup[];
  /** The filterBranch given through the API, echoed back with includeFilters. */
  filterBranch?: unknown;
  members: Map<number, ListMember>;
}

export interface ChangeSource {
  changeSource: string;
  sourceId?: string;
}

/** A mutation of portal data; the webhook driver and dynamic lists react to these. */
export type Change =
  | { kind: 'creation'; objectKind: ObjectKind; objectId: number; props: Record<string, string> }
  | { kind: 'propertyChange'; objectKind: ObjectKind; objectId: number; propertyName: string; propertyValue: string }
  | { kind: 'deletion'; objectKind: ObjectKind; objectId: number }
  | { kind: 'privacyDeletion'; objectKind: ObjectKind; objectId: number }
  | { kind: 'restore'; objectKind: ObjectKind; objectId: number }
  | {
      kind: 'merge';
      objectKind: ObjectKind;
      primaryObjectId: number;
      mergedObjectIds: number[];
      newObjectId: number;
      numberOfPropertiesMoved: number;
    }
  | {
      kind: 'associationChange';
      fromKind: ObjectKind;
      fromObjectId: number;
      toKind: ObjectKind;
      toObjectId: number;
      removed: boolean;
    };

export interface ChangeEnvelope {
  portalId: number;
  at: number;
  source: ChangeSource;
  change: Change;
}

export interface Installation {
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  installedAt: number;
}

export interface AuthCode {
  code: string;
  appId: number;
  portalId: number;
  userId: number;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface AccessToken {
  token: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  refreshToken: string;
  revoked: boolean;
}

export interface RefreshToken {
  token: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  revoked: boolean;
}
