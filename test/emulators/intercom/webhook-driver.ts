// Delivers webhook notifications the way Intercom does: one URL per app, events from every
// workspace that installed it, `X-Hub-Signature: sha1=HMAC(rawBody, client secret)`, at-least-once
// with retries. Knobs for duplicates and reordering let tests prove the receiver copes.
import { randomUUID } from 'node:crypto';
import { hubSignature } from './signing.ts';
import type { AppRec, EmittedEvent, Store } from './state.ts';

export interface WebhookBehaviour {
  /** Share (0–1) of notifications sent twice with the same id. */
  duplicate?: number;
  /** Hold notifications for `reorderWindowMs` and send them newest first. */
  reorder?: boolean;
  reorderWindowMs?: number;
  /** Per-attempt timeout; Intercom's is unknown, so default generously. */
  timeoutMs?: number;
  /** Replaces the retry schedule (ms before each retry). */
  retryDelaysMs?: number[];
}

export interface WebhookDelivery {
  kind: 'head' | 'ping' | 'event';
  notificationId: string | null;
  topic: string | null;
  clientId: string;
  workspace: string | null;
  url: string;
  attempt: number;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  ok: boolean;
  error?: string;
  duplicate?: boolean;
  at: number;
  durationMs: number;
  body: string;
  headers: Record<string, string>;
}

interface Notification {
  id: string;
  app: AppRec;
  idCode: string;
  topic: string;
  createdAt: number;
  item: Record<string, unknown>;
  attempts: number;
  firstSentAt: number | null;
}

/** One retry after a minute: "at-least-once" is all Intercom promises. */
const DEFAULT_RETRY_DELAYS = [60_000];
/** Answering 429 makes Intercom back off from 1 minute up to 2 hours. */
const THROTTLE_DELAYS = [60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_840_000, 7_200_000];

/** Long sandbox sessions would otherwise keep every body ever sent. */
const MAX_DELIVERIES = 10_000;

export class WebhookDriver {
  readonly deliveries: WebhookDelivery[] = [];
  private behaviour: WebhookBehaviour = {};
  private busy = 0;
  private waiters: Array<() => void> = [];
  private timers = new Set<NodeJS.Timeout>();
  private verifying = new Map<string, Promise<boolean>>();
  private buffer: Notification[] = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly fetchFn: () => typeof fetch,
    private readonly retryDelaysMs?: number[],
  ) {
    store.onEvent((e) => this.onEvent(e));
  }

  setBehaviour(b: WebhookBehaviour): void { this.behaviour = { ...b }; }

  clear(): void { this.deliveries.length = 0; }

  /** Resolves once nothing is in flight, buffered or waiting for a retry. */
  settle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.busy = 0;
    this.release();
  }

  private hold(): void { this.busy++; }
  private release(): void {
    if (this.busy > 0) this.busy--;
    if (this.busy === 0) for (const w of this.waiters.splice(0)) w();
  }

  private later(ms: number, fn: () => void): void {
    this.hold();
    const t = setTimeout(() => { this.timers.delete(t); fn(); this.release(); }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  /** Saving a webhook URL: HEAD must answer 2xx, then a `ping` notification follows. */
  async configure(clientId: string, url: string, topics: string[]): Promise<void> {
    const app = this.store.app(clientId);
    app.webhook_url = url;
    app.topics = [...topics];
    app.webhook_status = 'pending';
    this.verifying.delete(clientId);
    this.store.touch();
    if (!(await this.verify(app))) {
      const last = [...this.deliveries].reverse().find((d) => d.kind === 'head' && d.clientId === clientId);
      throw new Error(`Intercom emulator: webhook URL check failed (HEAD ${url} → ${last?.status || last?.error})`);
    }
  }

  /** Background check right after registration; events wait for it and re-check if it failed. */
  verifyInBackground(app: AppRec): void {
    this.hold();
    void this.verify(app).finally(() => this.release());
  }

  private record(d: WebhookDelivery): void {
    this.deliveries.push(d);
    if (this.deliveries.length > MAX_DELIVERIES) this.deliveries.splice(0, this.deliveries.length - MAX_DELIVERIES);
  }

  private verify(app: AppRec): Promise<boolean> {
    if (app.webhook_status === 'verified') return Promise.resolve(true);
    let p = this.verifying.get(app.client_id);
    if (!p) {
      p = this.runVerify(app).finally(() => this.verifying.delete(app.client_id));
      this.verifying.set(app.client_id, p);
    }
    return p;
  }

  private async runVerify(app: AppRec): Promise<boolean> {
    const url = app.webhook_url;
    if (!url) return false;
    const head = await this.send(app, null, url, 'HEAD', '', { kind: 'head', notificationId: null, topic: null, workspace: null, attempt: 1 });
    app.webhook_status = head.ok ? 'verified' : 'failed';
    if (!head.ok) return false;
    // A ping is per app, not per workspace; label it with any workspace that has the app.
    const workspace = [...this.store.installs.values()].find((i) => i.client_id === app.client_id && !i.revoked)?.id_code ?? '';
    const ping: Notification = {
      id: `notif_${randomUUID()}`, app, idCode: workspace, topic: 'ping', createdAt: this.store.nowSeconds(),
      item: { type: 'ping', message: 'something interesting happened' }, attempts: 0, firstSentAt: null,
    };
    await this.attempt(ping);
    return true;
  }

  private onEvent(e: EmittedEvent): void {
    if (this.closed) return;
    let item: Record<string, unknown> | undefined;
    for (const install of this.store.activeInstalls(e.idCode)) {
      const app = this.store.apps.get(install.client_id);
      if (!app?.webhook_url || !app.topics.includes(e.topic)) continue;
      item ??= e.item(); // snapshot now: payloads carry the state at the time of the change
      const n: Notification = {
        id: `notif_${randomUUID()}`, app, idCode: e.idCode, topic: e.topic, createdAt: this.store.nowSeconds(),
        item, attempts: 0, firstSentAt: null,
      };
      if (this.behaviour.reorder) this.enqueueReordered(n);
      else { this.hold(); void this.attempt(n).finally(() => this.release()); }
    }
  }

  private enqueueReordered(n: Notification): void {
    this.buffer.push(n);
    if (this.buffer.length > 1) return;
    this.later(this.behaviour.reorderWindowMs ?? 25, () => {
      const batch = this.buffer.splice(0).reverse();
      for (const b of batch) { this.hold(); void this.attempt(b).finally(() => this.release()); }
    });
  }

  private envelope(n: Notification): string {
    return JSON.stringify({
      type: 'notification_event',
      app_id: n.idCode,
      id: n.id,
      topic: n.topic,
      created_at: n.createdAt,
      delivery_status: 'pending',
      delivery_attempts: n.attempts,
      first_sent_at: n.firstSentAt,
      delivered_at: 0,
      links: {},
      data: { type: 'notification_event_data', item: n.item },
      self: null,
    });
  }

  private async attempt(n: Notification): Promise<void> {
    if (this.closed) return;
    const app = n.app;
    n.attempts++;
    n.firstSentAt ??= this.store.nowSeconds();
    const ok = n.topic === 'ping' || (await this.verify(app));
    const url = app.webhook_url ?? '';
    let result: { ok: boolean; status: number };
    if (!ok) {
      result = { ok: false, status: 0 };
      this.record({ kind: 'event', notificationId: n.id, topic: n.topic, clientId: app.client_id, workspace: n.idCode, url, attempt: n.attempts, status: 0, ok: false, error: 'webhook URL not verified', at: Date.now(), durationMs: 0, body: '', headers: {} });
    } else {
      const meta = { kind: n.topic === 'ping' ? 'ping' as const : 'event' as const, notificationId: n.id, topic: n.topic, workspace: n.idCode, attempt: n.attempts };
      const body = this.envelope(n);
      result = await this.send(app, app.client_secret, url, 'POST', body, meta);
      if ((this.behaviour.duplicate ?? 0) > 0 && Math.random() < (this.behaviour.duplicate ?? 0)) {
        await this.send(app, app.client_secret, url, 'POST', body, { ...meta, duplicate: true });
      }
    }
    if (result.ok || n.topic === 'ping') return;
    const schedule = this.behaviour.retryDelaysMs ?? this.retryDelaysMs ?? (result.status === 429 ? THROTTLE_DELAYS : DEFAULT_RETRY_DELAYS);
    const delay = schedule[n.attempts - 1];
    if (delay !== undefined) this.later(delay, () => { this.hold(); void this.attempt(n).finally(() => this.release()); });
  }

  private async send(
    app: AppRec, secret: string | null, url: string, method: 'HEAD' | 'POST', body: string,
    meta: Pick<WebhookDelivery, 'kind' | 'notificationId' | 'topic' | 'workspace' | 'attempt' | 'duplicate'>,
  ): Promise<{ ok: boolean; status: number }> {
    const headers: Record<string, string> = { 'User-Agent': 'intercom-parrot-service-client/1.0' };
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json';
      headers['X-Hub-Signature'] = hubSignature(secret ?? '', body);
    }
    const started = Date.now();
    let status = 0;
    let error: string | undefined;
    try {
      const res = await this.fetchFn()(url, { method, headers, body: method === 'POST' ? body : undefined, signal: AbortSignal.timeout(this.behaviour.timeoutMs ?? 10_000) });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const ok = status >= 200 && status < 300;
    this.record({ ...meta, clientId: app.client_id, url, status, ok, error, at: started, durationMs: Date.now() - started, body, headers });
    return { ok, status };
  }
}
