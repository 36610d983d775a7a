// In-memory model of everything the emulator knows. Records use the API's snake_case field
// names so rendering and search field lookup need no mapping tables.
import { randomBytes } from 'node:crypto';
import type { SearchQuery } from './search-query.ts';

export type Role = 'user' | 'lead';
export type AttrValue = string | number | boolean | null;

export interface AdminRec {
  id: string;
  name: string;
  email: string;
  job_title: string;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  has_inbox_seat: boolean;
  team_ids: number[];
}

export interface AppliedTag {
  id: string;
  applied_at: number;
  applied_by: { type: 'admin'; id: string };
}

export interface ContactRec {
  id: string;
  /** Creation order; the sort key of lists and search and the payload of cursors. */
  seq: number;
  role: Role;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  avatar: string | null;
  owner_id: number | null;
  has_hard_bounced: boolean;
  marked_email_as_spam: boolean;
  unsubscribed_from_emails: boolean;
  created_at: number;
  updated_at: number;
  signed_up_at: number | null;
  last_seen_at: number | null;
  last_replied_at: number | null;
  last_contacted_at: number | null;
  last_email_opened_at: number | null;
  last_email_clicked_at: number | null;
  language_override: string | null;
  browser: string | null;
  browser_version: string | null;
  browser_language: string | null;
  os: string | null;
  location: { country: string | null; region: string | null; city: string | null; country_code: string | null; continent_code: string | null };
  custom_attributes: Record<string, AttrValue>;
  tags: AppliedTag[];
  company_ids: string[];
  archived: boolean;
  /** Epoch ms before which search does not see the contact (eventual consistency knob). */
  searchable_at: number;
}

export interface TagRec { id: string; name: string; created_at: number }

export interface SegmentRec {
  id: string;
  name: string;
  person_type: 'user' | 'contact';
  created_at: number;
  updated_at: number;
  /** Membership rule, in the contact-search query language (never referencing segment_id). */
  query: SearchQuery | null;
}

export type DataType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime' | 'options';

export interface DataAttributeRec {
  id?: number;
  type: 'data_attribute';
  model: 'contact' | 'company';
  name: string;
  full_name: string;
  label: string;
  description: string;
  data_type: DataType;
  options?: string[];
  api_writable: boolean;
  ui_writable: boolean;
  messenger_writable: boolean;
  custom: boolean;
  archived: boolean;
  created_at?: number;
  updated_at?: number;
  admin_id?: string;
}

export interface CompanyRec { id: string; company_id: string; name: string; created_at: number }

export interface PartAuthor { type: 'admin' | 'user' | 'lead' | 'bot'; id: string }

export interface ConversationPartRec {
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  author: PartAuthor;
}

export interface ConversationRec {
  id: string;
  created_at: number;
  updated_at: number;
  title: string | null;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  priority: 'priority' | 'not_priority';
  admin_assignee_id: number | null;
  team_assignee_id: number | null;
  contact_ids: string[];
  tag_ids: string[];
  custom_attributes: Record<string, AttrValue>;
  source: { id: string; delivered_as: string; subject: string; body: string; author: PartAuthor };
  parts: ConversationPartRec[];
}

export interface WorkspaceRec {
  id_code: string;
  name: string;
  region: string;
  timezone: string;
  created_at: number;
  admins: Map<string, AdminRec>;
  contacts: Map<string, ContactRec>;
  /** Ids that were merged into another contact: GET answers 404 for them. */
  merged_ids: Set<string>;
  tags: Map<string, TagRec>;
  segments: Map<string, SegmentRec>;
  data_attributes: DataAttributeRec[];
  companies: Map<string, CompanyRec>;
  conversations: Map<string, ConversationRec>;
  /** Lower-cased email / external_id → contact ids; derived, rebuilt on load, never persisted. */
  by_email: Map<string, Set<string>>;
  by_external_id: Map<string, Set<string>>;
  /** Bumped on every change that can alter search results; keys the search caches. */
  version: number;
}

export interface AppRec {
  client_id: string;
  client_secret: string;
  name: string;
  redirect_urls: string[];
  initialize_url: string | null;
  submit_url: string | null;
  webhook_url: string | null;
  topics: string[];
  /** 'pending' until the HEAD check passed; events wait for it. */
  webhook_status: 'none' | 'pending' | 'verified' | 'failed';
}

export interface InstallRec { token: string; client_id: string; id_code: string; admin_id: string; created_at: number; revoked: boolean }

export interface CodeRec { code: string; client_id: string; id_code: string; admin_id: string; expires_at: number; used: boolean }

export interface EmittedEvent { idCode: string; topic: string; item: () => Record<string, unknown> }

export class Store {
  workspaces = new Map<string, WorkspaceRec>();
  apps = new Map<string, AppRec>();
  installs = new Map<string, InstallRec>();
  codes = new Map<string, CodeRec>();
  counters = { seq: 0, tag: 0, admin: 0, attribute: 0, conversation: 0, part: 0, object: 0 };
  /** Random per emulator so ids from two emulators in one test never collide. */
  private readonly machine = randomBytes(3).toString('hex');
  private listeners: Array<(e: EmittedEvent) => void> = [];
  private changeListeners: Array<() => void> = [];

  constructor(readonly now: () => number) {}

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** A Mongo-style ObjectId, the format Intercom uses for contacts, segments and companies. */
  objectId(): string {
    const ts = this.nowSeconds().toString(16).padStart(8, '0').slice(-8);
    return ts + this.machine + (++this.counters.object).toString(16).padStart(10, '0');
  }

  nextTagId(): string { return String(7_000_000 + ++this.counters.tag); }
  nextAdminId(): string { return String(991_200_000 + ++this.counters.admin); }
  nextAttributeId(): number { return 1000 + ++this.counters.attribute; }
  nextConversationId(): string { return String(100_000 + ++this.counters.conversation); }
  nextPartId(): string { return String(500_000_000 + ++this.counters.part); }
  nextSeq(): number { return ++this.counters.seq; }

  workspace(idCode: string): WorkspaceRec {
    const ws = this.workspaces.get(idCode);
    if (!ws) throw new Error(`Intercom emulator: no workspace "${idCode}"`);
    return ws;
  }

  app(clientId: string): AppRec {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`Intercom emulator: no app with client_id "${clientId}"`);
    return app;
  }

  /** Marks data as changed: invalidates search caches and schedules persistence. */
  touch(ws?: WorkspaceRec): void {
    if (ws) ws.version++;
    for (const l of this.changeListeners) l();
  }

  onChange(listener: () => void): void { this.changeListeners.push(listener); }
  onEvent(listener: (e: EmittedEvent) => void): void { this.listeners.push(listener); }

  private muted = 0;

  emit(idCode: string, topic: string, item: () => Record<string, unknown>): void {
    if (this.muted > 0) return;
    for (const l of this.listeners) l({ idCode, topic, item });
  }

  /** Runs `fn` without webhooks: seeded data is history, not news. */
  quietly<T>(fn: () => T): T {
    this.muted++;
    try { return fn(); } finally { this.muted--; }
  }

  activeInstalls(idCode: string): InstallRec[] {
    return [...this.installs.values()].filter((i) => i.id_code === idCode && !i.revoked);
  }
}

export const newWorkspace = (idCode: string, name: string, createdAt: number, region = 'US', timezone = 'UTC'): WorkspaceRec => ({
  id_code: idCode,
  name,
  region,
  timezone,
  created_at: createdAt,
  admins: new Map(),
  contacts: new Map(),
  merged_ids: new Set(),
  tags: new Map(),
  segments: new Map(),
  data_attributes: [],
  companies: new Map(),
  conversations: new Map(),
  by_email: new Map(),
  by_external_id: new Map(),
  version: 0,
});

export const randomIdCode = (): string => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(8);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
};
