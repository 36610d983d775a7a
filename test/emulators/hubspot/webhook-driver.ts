import type { EmulatorContext } from './context.ts';
import { signedHeaders } from './signing.ts';
import type { ChangeEnvelope } from './types.ts';
import { eventsFor, type WebhookEvent } from './webhook-events.ts';

// Delivers subscribed events to each app's targetUrl the way HubSpot does: JSON arrays of ≤ 100
// events, v3 + legacy v1 signatures, at most maxConcurrentRequests in flight per installing
// portal, redelivery with attemptNumber+1 after a non-2xx or a reply slower than the deadline.
// Knobs make the unpleasant parts (reordering, duplicates) happen on purpose.

/** HubSpot retries up to 10 times over about 24 hours. */
export const HUBSPOT_RETRY_DELAYS_MS = [60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000];

export interface WebhookBehaviour {
  /** Reorder queued events randomly before each batch is cut. */
  shuffle: boolean;
  /** Share (0..1) of events delivered twice (same eventId, separate batches or the same one). */
  duplicateRate: number;
  /** Hold everything in the queue (settle() then waits until resumed). */
  paused: boolean;
  /** Statuses that are not retried (the community says 400/401/403/404/405 are not; unverified). */
  noRetryStatuses: number[];
  /** Most events per POST. */
  maxBatchSize: number;
}

export interface WebhookDelivery {
  id: number;
  appId: number;
  portalId: number;
  targetUrl: string;
  attemptNumber: number;
  events: WebhookEvent[];
  body: string;
  headers: Record<string, string>;
  status?: number;
  ok: boolean;
  error?: string;
  startedAt: number;
  durationMs: number;
  /** True when no further retry was scheduled for this batch. */
  final: boolean;
  replay?: boolean;
}

interface Batch {
  events: WebhookEvent[];
  attempt: number;
}

interface Lane {
  appId: number;
  portalId: number;
  pending: WebhookEvent[];
  ready: Batch[];
  inFlight: number;
  flushTimer?: ReturnType<typeof setTimeout>;
}

export class WebhookDriver {
  behaviour: WebhookBehaviour = { shuffle: false, duplicateRate: 0, paused: false, noRetryStatuses: [], maxBatchSize: 100 };
  readonly deliveries: WebhookDelivery[] = [];
  private lanes = new Map<string, Lane>();
  private retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private waiters: (() => void)[] = [];
  private nextDeliveryId = 1;
  private closed = false;

  constructor(private readonly ctx: EmulatorContext) {}

  private get retryDelays(): number[] {
    return this.ctx.opts.webhookRetryDelaysMs ?? HUBSPOT_RETRY_DELAYS_MS;
  }

  setBehaviour(patch: Partial<WebhookBehaviour>): WebhookBehaviour {
    this.behaviour = { ...this.behaviour, ...patch };
    if (!this.behaviour.paused) for (const key of this.lanes.keys()) this.pump(key);
    this.checkIdle();
    return this.behaviour;
  }

  handleChange(env: ChangeEnvelope): void {
    if (this.closed) return;
    for (const inst of this.ctx.state.installations.values()) {
      if (inst.portalId !== env.portalId) continue;
      const app = this.ctx.state.app(inst.appId);
      if (!app?.webhooks || !app.subscriptions.length) continue;
      const events = eventsFor(this.ctx.state, app, env);
      if (!events.length) continue;
      const lane = this.lane(app.appId, env.portalId);
      for (const e of events) {
        lane.pending.push(e);
        if (this.behaviour.duplicateRate > 0 && this.ctx.random() < this.behaviour.duplicateRate) lane.pending.push({ ...e });
      }
      this.scheduleFlush(`${app.appId}:${env.portalId}`, lane);
    }
  }

  private lane(appId: number, portalId: number): Lane {
    const key = `${appId}:${portalId}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { appId, portalId, pending: [], ready: [], inFlight: 0 }));
    return lane;
  }

  private scheduleFlush(key: string, lane: Lane): void {
    if (lane.flushTimer) return;
    // Coalesce the events of one burst of writes into few POSTs, as HubSpot does.
    lane.flushTimer = setTimeout(() => {
      lane.flushTimer = undefined;
      this.pump(key);
    }, this.ctx.opts.webhookBatchWindowMs ?? 0);
  }

  private pump(key: string): void {
    const lane = this.lanes.get(key);
    const app = lane && this.ctx.state.app(lane.appId);
    if (!lane || !app?.webhooks || this.behaviour.paused || this.closed) return this.checkIdle();
    const max = app.webhooks.maxConcurrentRequests ?? 10;
    while (lane.inFlight < max && (lane.ready.length || lane.pending.length)) {
      let batch = lane.ready.shift();
      if (!batch) {
        if (this.behaviour.shuffle) shuffle(lane.pending, this.ctx.random);
        batch = { events: lane.pending.splice(0, this.behaviour.maxBatchSize), attempt: 0 };
      }
      void this.attempt(key, lane, batch);
    }
    this.checkIdle();
  }

  private async attempt(key: string, lane: Lane, batch: Batch, replay = false): Promise<WebhookDelivery> {
    const app = this.ctx.state.app(lane.appId)!;
    const targetUrl = app.webhooks!.targetUrl;
    const events = batch.events.map((e) => ({ ...e, attemptNumber: batch.attempt }));
    const body = JSON.stringify(events);
    const timestamp = this.ctx.signingNow();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'HubSpot Connect 2.0 (emulated)',
      ...signedHeaders({ secret: app.clientSecret, method: 'POST', uri: targetUrl, body, timestamp, legacyVersion: 'v1' }),
    };
    const delivery: WebhookDelivery = {
      id: this.nextDeliveryId++, appId: lane.appId, portalId: lane.portalId, targetUrl, attemptNumber: batch.attempt,
      events, body, headers, ok: false, startedAt: timestamp, durationMs: 0, final: true, replay,
    };
    this.deliveries.push(delivery);
    lane.inFlight++;
    const started = performance.now();
    try {
      delivery.status = await this.send(targetUrl, body, headers);
      delivery.ok = delivery.status >= 200 && delivery.status < 300;
    } catch (e) {
      delivery.error = (e as Error).message;
    }
    delivery.durationMs = Math.round(performance.now() - started);
    lane.inFlight--;
    if (!delivery.ok && !replay && !this.closed) this.maybeRetry(key, lane, batch, delivery);
    this.pump(key);
    return delivery;
  }

  private async send(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const timeoutMs = this.ctx.opts.webhookTimeoutMs ?? 5_000;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no 2xx within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const res = await Promise.race([
        this.ctx.outboundFetch(new Request(url, { method: 'POST', body, headers, signal: abort.signal })),
        deadline,
      ]);
      // Drain the body so keep-alive sockets are reusable; its content does not matter.
      await Promise.race([res.arrayBuffer().catch(() => undefined), deadline]);
      return res.status;
    } finally {
      clearTimeout(timer);
    }
  }

  private maybeRetry(key: string, lane: Lane, batch: Batch, delivery: WebhookDelivery): void {
    const delays = this.retryDelays;
    if (batch.attempt >= delays.length) return;
    if (delivery.status !== undefined && this.behaviour.noRetryStatuses.includes(delivery.status)) return;
    delivery.final = false;
    const base = delays[batch.attempt];
    // Jitter only HubSpot's own schedule; explicit test delays stay exact.
    const delay = this.ctx.opts.webhookRetryDelaysMs ? base : Math.round(base * (0.8 + 0.4 * this.ctx.random()));
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      lane.ready.push({ events: batch.events, attempt: batch.attempt + 1 });
      this.pump(key);
    }, delay);
    this.retryTimers.add(timer);
  }

  /** Sends a logged batch again, as it was (same events and attemptNumber), without retries. */
  async replay(deliveryId: number): Promise<WebhookDelivery> {
    const d = this.deliveries.find((x) => x.id === deliveryId);
    if (!d) throw new Error(`No webhook delivery ${deliveryId}`);
    const key = `${d.appId}:${d.portalId}`;
    return this.attempt(key, this.lane(d.appId, d.portalId), { events: d.events, attempt: d.attemptNumber }, true);
  }

  private idle(includeRetries: boolean): boolean {
    if (includeRetries && this.retryTimers.size) return false;
    for (const lane of this.lanes.values()) {
      if (lane.inFlight || lane.flushTimer) return false;
      if (!this.behaviour.paused && (lane.pending.length || lane.ready.length)) return false;
    }
    return true;
  }

  private checkIdle(): void {
    if (!this.waiters.length) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /**
   * Resolves when nothing is queued or in flight and (unless `retries: false`) no redelivery is
   * scheduled. While paused, queued events do not count.
   */
  async settle(opts: { retries?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const includeRetries = opts.retries ?? true;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    while (!this.idle(includeRetries)) {
      if (Date.now() > deadline) throw new Error('webhooks did not settle in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        // Wake periodically too: retry timers and flushes finish without calling checkIdle.
        setTimeout(resolve, 5);
      });
    }
  }

  pendingCount(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.pending.length + l.ready.reduce((a, b) => a + b.events.length, 0);
    return n;
  }

  clearLog(): void {
    this.deliveries.length = 0;
  }

  close(): void {
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const lane of this.lanes.values()) if (lane.flushTimer) clearTimeout(lane.flushTimer);
    this.lanes.clear();
    this.checkIdle();
  }
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}
