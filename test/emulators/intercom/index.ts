// The Intercom emulator: a workspace-hosting fake of Intercom's REST API, OAuth, webhooks and
// the inbox's Canvas Kit calls, faithful enough that `intercom-client@7` and our server cannot
// tell it from the real thing. Use it in-process (`fetch`) or over HTTP (`listen`).
import { CanvasDriver } from './canvas-driver.ts';
import { renderAppliedTag, renderContact, renderTagBasic } from './contact-view.ts';
import {
  createContact, deleteContact, mergeContacts, setArchived, updateContact, type ContactInput,
} from './contacts.ts';
import { createConversation, renderConversation, type ConversationDefinition } from './conversations.ts';
import { createDataAttribute, renderDataAttribute, type CreateAttributeInput } from './data-attributes.ts';
import { Faults, type FaultKind, type FaultMatch, type FaultSettings } from './faults.ts';
import { generateContacts, type GenerateOptions, type GenerateResult } from './generator.ts';
import { hookRoutes } from './hooks.ts';
import { installApp, issueCode, uninstall } from './oauth.ts';
import { loadStateFile, saveStateFile } from './persistence.ts';
import { RateLimiter } from './rate-limit.ts';
import { RequestLog, type RequestFilter, type RequestLogEntry } from './request-log.ts';
import { createWorkspace, seedWorkspace, type SeedResult, type WorkspaceFixture, type WorkspaceInput } from './seed.ts';
import { buildSegment, renderSegment, type SegmentDefinition } from './segments.ts';
import { createDispatcher, inProcessFetch, listenOn } from './server.ts';
import { DEFAULT_RATE_LIMITS, type Emulation, type RateLimitSettings } from './settings.ts';
import { Store, type AppRec, type AttrValue, type WorkspaceRec } from './state.ts';
import { findOrCreateTag, resolveTag, tagByName, tagContact, untagContact } from './tags.ts';
import { WebhookDriver, type WebhookBehaviour, type WebhookDelivery } from './webhook-driver.ts';

export type { CanvasCallOptions, CanvasComponent, CanvasResult, Canvas, SubmitOptions } from './canvas-driver.ts';
export { findComponent, inputValuesFrom } from './canvas-driver.ts';
export { validateCanvasRequest, validateCanvasResponse, CANVAS_LIMIT_BYTES } from './canvas-validate.ts';
export { canvasSignature, hubSignature, verifyCanvasSignature, verifyHubSignature } from './signing.ts';
export { demoFixture } from './seed.ts';
export type { WorkspaceFixture, ContactFixture, SeedResult, WorkspaceInput, AdminInput } from './seed.ts';
export type { SegmentDefinition } from './segments.ts';
export type { ConversationDefinition } from './conversations.ts';
export type { GenerateOptions, GenerateResult } from './generator.ts';
export type { FaultSettings, FaultKind, FaultMatch } from './faults.ts';
export type { RequestLogEntry, RequestFilter } from './request-log.ts';
export type { WebhookBehaviour, WebhookDelivery } from './webhook-driver.ts';
export type { RateLimitSettings, Emulation } from './settings.ts';
export type { ContactInput } from './contacts.ts';
export type { CreateAttributeInput } from './data-attributes.ts';
export type { Store } from './state.ts';
export type { CanvasDriver } from './canvas-driver.ts';

export interface IntercomEmulatorOptions {
  /** `false` disables 429s (headers stay); an object overrides the per-minute budgets or the 10 s window. */
  rateLimits?: boolean | { perAppPerMinute?: number; perWorkspacePerMinute?: number; windowMs?: number };
  /** JSON file the state is loaded from (when present) and saved to (on changes and on close). */
  stateFile?: string;
  /** Clock in epoch ms for timestamps, code expiry, rate windows and search lag. */
  now?: () => number;
  /** New contacts stay invisible to search this long. Default 0. */
  searchLagMs?: number;
  /** Delay before each webhook retry; default one retry after 60 s (429s back off 1 min → 2 h). */
  webhookRetryDelaysMs?: number[];
  /** fetch for calls into the app (webhooks, Canvas Kit). Default: global fetch. */
  outboundFetch?: typeof fetch;
  /** Whether creating a lead with an existing lead's email is a 409 too. Default 'allow'. */
  leadDuplicates?: 'allow' | 'conflict';
}

export interface RegisterAppInput {
  clientId: string;
  clientSecret: string;
  name?: string;
  redirectUrls: string[];
  initializeUrl?: string;
  submitUrl?: string;
  webhookUrl?: string;
  topics?: string[];
}

export interface AppInfo {
  clientId: string; clientSecret: string; name: string; redirectUrls: string[]; initializeUrl: string | null;
  submitUrl: string | null; webhookUrl: string | null; topics: string[]; webhookStatus: AppRec['webhook_status'];
}

export interface WorkspaceInfo {
  idCode: string; name: string; region: string; timezone: string;
  admins: Array<{ id: string; name: string; email: string }>;
  counts: { contacts: number; tags: number; segments: number; conversations: number };
}

export type ContactJson = Record<string, unknown> & { id: string; role: string; email: string; custom_attributes: Record<string, unknown> };

/** What a teammate does in the Intercom UI; each fires the webhooks Intercom would. */
export interface UiActions {
  createContact(idCode: string, data: ContactInput & { tags?: string[] }): ContactJson;
  updateContact(idCode: string, contactId: string, patch: ContactInput): ContactJson;
  updateAttribute(idCode: string, contactId: string, name: string, value: AttrValue): ContactJson;
  /** `tag` is a tag id or name (created when unknown, like typing a new tag in the inbox). */
  tagContact(idCode: string, contactId: string, tag: string, adminId?: string): Record<string, unknown>;
  untagContact(idCode: string, contactId: string, tag: string): Record<string, unknown>;
  convertLead(idCode: string, contactId: string, patch?: ContactInput): ContactJson;
  mergeContacts(idCode: string, fromLeadId: string, intoUserId: string): ContactJson;
  archiveContact(idCode: string, contactId: string): void;
  unarchiveContact(idCode: string, contactId: string): void;
  deleteContact(idCode: string, contactId: string): void;
  createTag(idCode: string, name: string): { type: string; id: string; name: string };
  createSegment(idCode: string, def: SegmentDefinition): Record<string, unknown>;
  createDataAttribute(idCode: string, def: CreateAttributeInput): Record<string, unknown>;
  createConversation(idCode: string, def: ConversationDefinition): Record<string, unknown>;
}

export interface IntercomEmulator {
  /** API base = auth base (`INTERCOM_API_BASE`/`INTERCOM_AUTH_BASE`). A placeholder until listen(); use with `fetch` in-process. */
  readonly url: string;
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  registerApp(input: RegisterAppInput): AppInfo;
  createWorkspace(input: WorkspaceInput): WorkspaceInfo;
  seedWorkspace(idCode: string, fixture: WorkspaceFixture): SeedResult;
  generateContacts(idCode: string, n: number, opts?: GenerateOptions): GenerateResult;
  installApp(clientId: string, idCode: string, adminId?: string): { accessToken: string; workspaceId: string; adminId: string };
  /** Consent without the browser: a fresh authorization code for the token exchange. */
  authorize(clientId: string, idCode: string, adminId?: string): string;
  uninstall(clientId: string, idCode: string): void;
  readonly ui: UiActions;
  readonly webhooks: {
    settle(): Promise<void>;
    readonly deliveries: readonly WebhookDelivery[];
    setBehaviour(b: WebhookBehaviour): void;
    /** Saves the app's webhook URL and topics: HEAD check (must be 2xx), then a ping. */
    configure(clientId: string, config: { url: string; topics: string[] }): Promise<void>;
    clear(): void;
  };
  readonly canvas: CanvasDriver;
  readonly faults: { set(f: FaultSettings): void; failNext(count: number, kind?: FaultKind, match?: FaultMatch): void; clear(): void };
  readonly requestLog: { entries(filter?: RequestFilter): RequestLogEntry[]; count(filter?: RequestFilter): number; clear(): void };
  setRateLimits(cfg: Partial<RateLimitSettings>): void;
  setSearchLag(ms: number): void;
  /** Where webhooks and Canvas Kit calls go: e.g. the app's in-process `fetch`. */
  setOutboundFetch(fetchFn: typeof fetch): void;
  readonly settings: Readonly<Emulation>;
  workspaces(): WorkspaceInfo[];
  workspace(idCode: string): WorkspaceInfo;
  apps(): AppInfo[];
  getContact(idCode: string, contactId: string): ContactJson | undefined;
  findContactsByEmail(idCode: string, email: string): ContactJson[];
  tags(idCode: string): Array<{ id: string; name: string }>;
  segments(idCode: string): Array<Record<string, unknown>>;
  dataAttributes(idCode: string): Array<Record<string, unknown>>;
  getConversation(idCode: string, conversationId: string): Record<string, unknown> | undefined;
  /** Writes `stateFile` (or `file`) now. */
  save(file?: string): Promise<void>;
  /** The raw model, for tests that need more than the accessors. */
  readonly store: Store;
}

const PLACEHOLDER_URL = 'http://127.0.0.1:0';

export function createIntercomEmulator(opts: IntercomEmulatorOptions = {}): IntercomEmulator {
  const store = new Store(opts.now ?? Date.now);
  const rl = typeof opts.rateLimits === 'object' ? opts.rateLimits : {};
  const settings: Emulation = {
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...rl, enabled: opts.rateLimits !== false },
    searchLagMs: opts.searchLagMs ?? 0,
    leadDuplicates: opts.leadDuplicates ?? 'allow',
  };
  if (opts.stateFile) loadStateFile(store, opts.stateFile);

  let outbound = opts.outboundFetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const limiter = new RateLimiter(() => settings.rateLimits, store.now);
  const faults = new Faults();
  const log = new RequestLog();
  const webhooks = new WebhookDriver(store, () => outbound, opts.webhookRetryDelaysMs);
  const canvas = new CanvasDriver(store, () => outbound);

  // Debounced autosave so a burst of API writes costs one file write.
  let saveTimer: NodeJS.Timeout | undefined;
  const flush = () => { clearTimeout(saveTimer); saveTimer = undefined; if (opts.stateFile) saveStateFile(store, opts.stateFile); };
  if (opts.stateFile) {
    store.onChange(() => {
      if (saveTimer) return;
      saveTimer = setTimeout(flush, 250);
      saveTimer.unref?.();
    });
  }

  const ws = (idCode: string): WorkspaceRec => store.workspace(idCode);
  const appInfo = (a: AppRec): AppInfo => ({
    clientId: a.client_id, clientSecret: a.client_secret, name: a.name, redirectUrls: a.redirect_urls, initializeUrl: a.initialize_url,
    submitUrl: a.submit_url, webhookUrl: a.webhook_url, topics: a.topics, webhookStatus: a.webhook_status,
  });
  const workspaceInfo = (w: WorkspaceRec): WorkspaceInfo => ({
    idCode: w.id_code, name: w.name, region: w.region, timezone: w.timezone,
    admins: [...w.admins.values()].map((a) => ({ id: a.id, name: a.name, email: a.email })),
    counts: { contacts: w.contacts.size, tags: w.tags.size, segments: w.segments.size, conversations: w.conversations.size },
  });
  const contactJson = (w: WorkspaceRec, id: string) => renderContact(w, w.contacts.get(id)!) as ContactJson;

  const ui: UiActions = {
    createContact(idCode, data) {
      const w = ws(idCode);
      const { tags, ...input } = data;
      const c = createContact(store, w, input, settings);
      for (const t of tags ?? []) tagContact(store, w, c.id, resolveTag(store, w, t).id, [...w.admins.keys()][0]);
      return contactJson(w, c.id);
    },
    updateContact: (idCode, id, patch) => { const w = ws(idCode); updateContact(store, w, id, patch); return contactJson(w, id); },
    updateAttribute: (idCode, id, name, value) => ui.updateContact(idCode, id, { custom_attributes: { [name]: value } }),
    tagContact(idCode, id, tag, adminId) {
      const w = ws(idCode);
      const r = tagContact(store, w, id, resolveTag(store, w, tag).id, adminId ?? [...w.admins.keys()][0]);
      return renderAppliedTag(r.tag, r.applied);
    },
    untagContact(idCode, id, tag) {
      const w = ws(idCode);
      const known = w.tags.get(tag) ?? tagByName(w, tag);
      if (!known) throw new Error(`Intercom emulator: no tag "${tag}" in workspace ${idCode}`);
      return renderTagBasic(untagContact(store, w, id, known.id).tag);
    },
    convertLead: (idCode, id, patch = {}) => ui.updateContact(idCode, id, { ...patch, role: 'user' }),
    mergeContacts: (idCode, from, into) => { const w = ws(idCode); return renderContact(w, mergeContacts(store, w, from, into)) as ContactJson; },
    archiveContact: (idCode, id) => void setArchived(store, ws(idCode), id, true),
    unarchiveContact: (idCode, id) => void setArchived(store, ws(idCode), id, false),
    deleteContact: (idCode, id) => void deleteContact(store, ws(idCode), id),
    createTag: (idCode, name) => renderTagBasic(findOrCreateTag(store, ws(idCode), name)),
    createSegment(idCode, def) {
      const w = ws(idCode);
      return renderSegment(w, buildSegment(store, w, def, (name) => resolveTag(store, w, name)), true);
    },
    createDataAttribute: (idCode, def) => renderDataAttribute(createDataAttribute(store, ws(idCode), { model: 'contact', ...def })),
    createConversation(idCode, def) { const w = ws(idCode); return renderConversation(w, createConversation(store, w, def)); },
  };

  let listening: { close: () => Promise<void>; url: string } | undefined;
  let emulator!: IntercomEmulator;
  const { dispatch, releaseHangs } = createDispatcher({ store, settings, limiter, faults, log, hooks: hookRoutes(() => emulator) });
  const fetch = inProcessFetch(dispatch);

  emulator = {
    get url() { return listening?.url ?? PLACEHOLDER_URL; },
    fetch,
    async listen(port = 0) {
      if (listening) return listening.url;
      const { server, url } = await listenOn(dispatch, port);
      listening = {
        url,
        close: () => new Promise<void>((resolve) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => resolve());
        }),
      };
      return url;
    },
    async close() {
      releaseHangs();
      webhooks.close();
      if (saveTimer || opts.stateFile) flush();
      if (listening) { const l = listening; listening = undefined; await l.close(); }
    },
    registerApp(input) {
      const existing = store.apps.get(input.clientId);
      const app: AppRec = {
        client_id: input.clientId, client_secret: input.clientSecret, name: input.name ?? existing?.name ?? 'Refcard',
        redirect_urls: [...input.redirectUrls], initialize_url: input.initializeUrl ?? null, submit_url: input.submitUrl ?? null,
        webhook_url: input.webhookUrl ?? null, topics: [...(input.topics ?? [])],
        webhook_status: input.webhookUrl ? (existing?.webhook_url === input.webhookUrl && existing.webhook_status === 'verified' ? 'verified' : 'pending') : 'none',
      };
      store.apps.set(app.client_id, app);
      store.touch();
      if (app.webhook_status === 'pending') webhooks.verifyInBackground(app);
      return appInfo(app);
    },
    createWorkspace: (input) => workspaceInfo(createWorkspace(store, input)),
    seedWorkspace: (idCode, fixture) => seedWorkspace(store, settings, idCode, fixture),
    generateContacts: (idCode, n, o) => generateContacts(store, idCode, n, o),
    installApp(clientId, idCode, adminId) {
      const i = installApp(store, clientId, idCode, adminId);
      return { accessToken: i.token, workspaceId: i.id_code, adminId: i.admin_id };
    },
    authorize: (clientId, idCode, adminId) => issueCode(store, clientId, idCode, adminId),
    uninstall: (clientId, idCode) => void uninstall(store, clientId, idCode),
    ui,
    webhooks: {
      settle: () => webhooks.settle(),
      get deliveries() { return webhooks.deliveries; },
      setBehaviour: (b) => webhooks.setBehaviour(b),
      configure: (clientId, c) => webhooks.configure(clientId, c.url, c.topics),
      clear: () => webhooks.clear(),
    },
    canvas,
    faults: { set: (f) => faults.set(f), failNext: (n, k, m) => faults.failNext(n, k, m), clear: () => faults.clear() },
    requestLog: { entries: (f) => log.entries(f), count: (f) => log.count(f), clear: () => log.clear() },
    setRateLimits(cfg) { Object.assign(settings.rateLimits, cfg); limiter.reset(); },
    setSearchLag(ms) { settings.searchLagMs = ms; },
    setOutboundFetch(fn) { outbound = fn; },
    settings,
    workspaces: () => [...store.workspaces.values()].map(workspaceInfo),
    workspace: (idCode) => workspaceInfo(ws(idCode)),
    apps: () => [...store.apps.values()].map(appInfo),
    getContact(idCode, id) { const w = ws(idCode); return w.contacts.has(id) ? contactJson(w, id) : undefined; },
    findContactsByEmail(idCode, email) {
      const w = ws(idCode);
      return [...(w.by_email.get(email.toLowerCase()) ?? [])].map((id) => contactJson(w, id));
    },
    tags: (idCode) => [...ws(idCode).tags.values()].map((t) => ({ id: t.id, name: t.name })),
    segments(idCode) { const w = ws(idCode); return [...w.segments.values()].map((s) => renderSegment(w, s, true)); },
    dataAttributes: (idCode) => ws(idCode).data_attributes.map(renderDataAttribute),
    getConversation(idCode, id) { const w = ws(idCode); const c = w.conversations.get(id); return c ? renderConversation(w, c) : undefined; },
    async save(file) {
      const target = file ?? opts.stateFile;
      if (!target) throw new Error('Intercom emulator: save() needs a file (or the stateFile option)');
      saveStateFile(store, target);
    },
    store,
  };
  return emulator;
}
