import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { registerAdminRoutes } from './admin.ts';
import { CardDriver, type CardFetchInput, type CardFetchResult } from './card-driver.ts';
import { EmulatorContext, type HubspotEmulatorOptions, type OutboundFetch } from './context.ts';
import { Faults, type FaultConfig } from './faults.ts';
import { generateContacts, type GenerateOptions, type GenerateResult } from './generator.ts';
import { approve, revokeRefresh, tokenGrant, uninstall, type AuthorizeRequest, type TokenSet } from './grants.ts';
import { onContactChange } from './list-store.ts';
import { loadStateFile, serializeState, writeStateFile } from './persistence.ts';
import { RateLimiter, type RateLimitConfig } from './rate-limit.ts';
import { RequestLog, type RequestLogEntry, type RequestLogFilter } from './request-log.ts';
import { createPortal, seedPortal, type PortalFixture, type PortalOptions, type SeedResult } from './seed.ts';
import { buildApp, DROPPED_HEADER } from './server.ts';
import type { Portal } from './state.ts';
import type { AppConfig, RegisteredApp } from './types.ts';
import { uiActions, type UiActions } from './ui-actions.ts';
import { PortalView } from './views.ts';
import { WebhookDriver, type WebhookBehaviour, type WebhookDelivery } from './webhook-driver.ts';
import { registerSubscriptions } from './webhook-events.ts';

// The HubSpot emulator: an in-memory HubSpot that the real @hubspot/api-client cannot tell from the
// real thing for what Refcard uses, plus the drivers that play HubSpot's side towards our server
// (webhooks, hubspot.fetch). Usable in-process (fetch) or over HTTP on 127.0.0.1 (listen).

export type { HubspotEmulatorOptions } from './context.ts';
export type { PortalFixture, PortalOptions, SeedResult } from './seed.ts';
export type { CardFetchInput, CardFetchResult } from './card-driver.ts';
export { CardFetchError } from './card-driver.ts';
export type { WebhookDelivery, WebhookBehaviour } from './webhook-driver.ts';
export type { WebhookEvent } from './webhook-events.ts';
export type { FaultConfig } from './faults.ts';
export type { RequestLogEntry, RequestLogFilter } from './request-log.ts';
export type { AppConfig, RegisteredApp } from './types.ts';
export type { Portal } from './state.ts';
export type { AuthorizeRequest, TokenSet } from './grants.ts';
export type { GenerateOptions, GenerateResult } from './generator.ts';
export type { UiActions, UiOptions, RecordRef } from './ui-actions.ts';
export type { RateLimitConfig } from './rate-limit.ts';
export type { PortalView, RecordView, ListView } from './views.ts';
export { signV1, signV2, signV3, verifyV3, decodeUriForSignature } from './signing.ts';

/** registerApp input: everything but redirectUrls can be left to defaults. */
export type AppRegistration = Partial<AppConfig> & { redirectUrls: string[] };

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  hubId: number;
  userId: number;
  scopes: string[];
}

export class HubspotEmulator {
  readonly ctx: EmulatorContext;
  readonly requestLog: {
    entries(filter?: RequestLogFilter): RequestLogEntry[];
    count(filter?: RequestLogFilter): number;
    clear(): void;
  };
  readonly ui: UiActions;
  readonly faults: { set(config: FaultConfig): void; clear(): void; current(): FaultConfig };
  readonly rateLimits: { configure(patch: Partial<RateLimitConfig>): RateLimitConfig; reset(): void; readonly config: RateLimitConfig };
  readonly webhooks: {
    settle(opts?: { retries?: boolean; timeoutMs?: number }): Promise<void>;
    readonly deliveries: WebhookDelivery[];
    setBehaviour(patch: Partial<WebhookBehaviour>): WebhookBehaviour;
    replay(deliveryId: number): Promise<WebhookDelivery>;
    clear(): void;
  };
  readonly card: { fetch(input: CardFetchInput): Promise<CardFetchResult>; readonly log: CardDriver['log'] };
  private readonly log: RequestLog;
  private readonly limiter: RateLimiter;
  private readonly webhookDriver: WebhookDriver;
  private readonly app: ReturnType<typeof buildApp>;
  private server?: ServerType;
  private baseUrl?: string;
  private saveTimer?: ReturnType<typeof setTimeout>;

  constructor(readonly options: HubspotEmulatorOptions = {}) {
    this.ctx = new EmulatorContext(options);
    const loaded = options.stateFile ? loadStateFile(options.stateFile) : undefined;
    if (loaded) {
      this.ctx.state = loaded.state;
      this.ctx.clockOffset = loaded.clockOffset;
    }
    this.log = new RequestLog(options.logRequests ?? true);
    this.limiter = new RateLimiter(options.rateLimits ?? true);
    const faults = new Faults(this.ctx.random);
    this.webhookDriver = new WebhookDriver(this.ctx);
    const card = new CardDriver(this.ctx);
    // Lists first: a webhook handler reading list memberships must see the new state.
    this.ctx.onChange((e) => onContactChange(this.ctx, e));
    this.ctx.onChange((e) => this.webhookDriver.handleChange(e));
    if (options.stateFile) this.ctx.onMutation(() => this.scheduleSave());

    const log = this.log;
    const limiter = this.limiter;
    const driver = this.webhookDriver;
    this.requestLog = { entries: (f) => log.entries(f), count: (f) => log.count(f), clear: () => log.clear() };
    this.faults = { set: (c) => faults.set(c), clear: () => faults.clear(), current: () => faults.current() };
    this.rateLimits = {
      configure: (p) => limiter.configure(p),
      reset: () => limiter.reset(),
      get config() {
        return limiter.config;
      },
    };
    this.webhooks = {
      settle: (o) => driver.settle(o),
      get deliveries() {
        return driver.deliveries;
      },
      setBehaviour: (p) => driver.setBehaviour(p),
      replay: (id) => driver.replay(id),
      clear: () => driver.clearLog(),
    };
    this.card = { fetch: (i) => card.fetch(i), log: card.log };
    this.ui = uiActions(this.ctx);
    this.app = buildApp(this.ctx, { log: this.log, limiter: this.limiter, faults }, (a) => registerAdminRoutes(a, this));
  }

  /** Base URL once listen() resolved (http://127.0.0.1:PORT); the API and OAuth bases are both this. */
  get url(): string | undefined {
    return this.baseUrl;
  }

  get state() {
    return this.ctx.state;
  }

  now(): number {
    return this.ctx.now();
  }

  /** Moves the emulator's clock (token expiry, rate windows, timestamps) forward. */
  advanceClock(ms: number): void {
    this.ctx.clockOffset += ms;
    this.ctx.touched();
  }

  /** In-process HTTP: a dropped connection rejects like fetch does (TypeError). Paths may be relative. */
  async fetch(input: Request | string, init?: RequestInit): Promise<Response> {
    const req = typeof input === 'string' ? new Request(new URL(input, this.baseUrl ?? 'http://127.0.0.1'), init) : input;
    const res = await this.app.fetch(req, {});
    if (res.headers.get(DROPPED_HEADER)) throw new TypeError('fetch failed', { cause: new Error('other side closed') });
    return res;
  }

  async listen(port = 0): Promise<string> {
    if (this.baseUrl) return this.baseUrl;
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: this.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.webhookDriver.close();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.options.stateFile) this.save();
    const server = this.server as (ServerType & { closeAllConnections?: () => void }) | undefined;
    this.server = undefined;
    this.baseUrl = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    }
  }

  /** Where webhooks and hubspot.fetch go (default: global fetch). Pass your app's fetch to stay in-process. */
  setOutboundFetch(fn: OutboundFetch): void {
    this.ctx.outboundFetch = fn;
  }

  registerApp(input: AppRegistration): RegisteredApp {
    const state = this.ctx.state;
    const appId = input.appId ?? state.nextAppId++;
    if (appId >= state.nextAppId) state.nextAppId = appId + 1;
    const previous = state.app(appId);
    const subs = registerSubscriptions(state, input.webhooks);
    // Re-registering the same app (e.g. after a sandbox restart) keeps its subscription ids.
    for (const s of subs) {
      const same = previous?.subscriptions.find((p) => p.style === s.style && p.subscriptionType === s.subscriptionType && p.objectType === s.objectType && p.propertyName === s.propertyName);
      if (same) s.id = same.id;
    }
    const app: RegisteredApp = {
      appId,
      clientId: input.clientId ?? previous?.clientId ?? randomUUID(),
      clientSecret: input.clientSecret ?? previous?.clientSecret ?? randomUUID(),
      redirectUrls: input.redirectUrls,
      scopes: input.scopes ?? ['oauth'],
      optionalScopes: input.optionalScopes ?? [],
      permittedFetchOrigins: input.permittedFetchOrigins ?? [],
      webhooks: input.webhooks,
      fetchProxy: input.fetchProxy,
      cardIdentityParams: input.cardIdentityParams,
      name: input.name,
      subscriptions: subs,
    };
    state.apps.set(appId, app);
    this.ctx.touched();
    return app;
  }

  createPortal(opts: PortalOptions = {}): Portal {
    return createPortal(this.ctx, opts);
  }

  seedPortal(portalId: number, fixture: PortalFixture): SeedResult {
    return seedPortal(this.ctx, this.ctx.portal(portalId), fixture);
  }

  generateContacts(portalId: number, n: number, opts?: GenerateOptions): GenerateResult {
    return generateContacts(this.ctx, this.ctx.portal(portalId), n, opts);
  }

  /** Read-only views for assertions: contacts, deals, lists, associations. */
  portal(portalId: number): PortalView {
    return new PortalView(this.ctx.portal(portalId));
  }

  /** The OAuth consent as if the user clicked "Connect": validates like /oauth/authorize. */
  authorizeCode(req: AuthorizeRequest) {
    return approve(this.ctx, req);
  }

  /** Installs with all of the app's scopes and returns the one-time code for the token exchange. */
  installApp(appId: number, portalId: number, opts: { userId?: number; redirectUri?: string; state?: string } = {}) {
    const app = this.requireApp(appId);
    const redirectUri = opts.redirectUri ?? app.redirectUrls[0];
    if (!redirectUri) throw new Error(`App ${appId} has no redirect URL to install with`);
    return approve(this.ctx, {
      clientId: app.clientId, redirectUri, scope: app.scopes, optionalScope: app.optionalScopes,
      portalId, userId: opts.userId, state: opts.state,
    });
  }

  exchangeCode(appId: number, code: string, redirectUri?: string): TokenSet {
    const app = this.requireApp(appId);
    const grant = this.ctx.state.codes.get(code);
    return tokenGrant(this.ctx, {
      grant_type: 'authorization_code', code, redirect_uri: redirectUri ?? grant?.redirectUri,
      client_id: app.clientId, client_secret: app.clientSecret,
    });
  }

  /** Install + token exchange in one step, for tests that are not about OAuth. */
  issueTokens(appId: number, portalId: number, opts: { userId?: number } = {}): Tokens {
    const { code } = this.installApp(appId, portalId, opts);
    const t = this.exchangeCode(appId, code);
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in, hubId: t.hub_id, userId: t.user_id, scopes: t.scopes };
  }

  refreshAccessToken(appId: number, refreshToken: string): TokenSet {
    const app = this.requireApp(appId);
    return tokenGrant(this.ctx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: app.clientId, client_secret: app.clientSecret });
  }

  revokeRefreshToken(token: string): boolean {
    return revokeRefresh(this.ctx, token);
  }

  revokeAccessToken(token: string): boolean {
    const t = this.ctx.state.accessTokens.get(token);
    if (!t || t.revoked) return false;
    t.revoked = true;
    this.ctx.touched();
    return true;
  }

  /** The account removes the app: every token of (app, portal) dies, webhooks stop. */
  uninstall(appId: number, portalId: number): boolean {
    return uninstall(this.ctx, appId, portalId);
  }

  summary() {
    const s = this.ctx.state;
    return {
      now: this.now(),
      apps: [...s.apps.values()].map((a) => ({ appId: a.appId, clientId: a.clientId, name: a.name, subscriptions: a.subscriptions })),
      portals: [...s.portals.values()].map((p) => ({
        portalId: p.portalId, hubDomain: p.hubDomain, users: p.users,
        contacts: p.objects.contacts.liveCount(), deals: p.objects.deals.liveCount(), lists: p.lists.size,
      })),
      installations: [...s.installations.values()],
    };
  }

  /** Writes the state file now (it is also written shortly after every change and on close). */
  save(): void {
    if (!this.options.stateFile) throw new Error('No stateFile option was given');
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    writeStateFile(this.options.stateFile, serializeState(this.ctx.state, this.ctx.clockOffset));
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, this.options.stateSaveDelayMs ?? 1000);
    this.saveTimer.unref();
  }

  private requireApp(appId: number): RegisteredApp {
    const app = this.ctx.state.app(appId);
    if (!app) throw new Error(`No app ${appId}; registerApp first`);
    return app;
  }
}

export function createHubspotEmulator(opts: HubspotEmulatorOptions = {}): HubspotEmulator {
  return new HubspotEmulator(opts);
}
