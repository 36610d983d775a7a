import { EmulatorState, type Portal } from './state.ts';
import { notFound } from './errors.ts';
import type { Change, ChangeEnvelope, ChangeSource } from './types.ts';

export type OutboundFetch = (req: Request) => Promise<Response>;

export interface HubspotEmulatorOptions {
  /** Enforce 110 requests / 10 s per (app, portal) and search 5/s per portal. Default true. */
  rateLimits?: boolean;
  /** Lifetime of access tokens; HubSpot's is 1800. */
  accessTokenTtlSeconds?: number;
  /** JSON file the state is loaded from at start and written to by save() (and automatically). */
  stateFile?: string;
  /** How long after a change the state file is rewritten (default 1000 ms; big portals make each write costly). */
  stateSaveDelayMs?: number;
  /** Clock for every timestamp and window; defaults to Date.now. advanceClock() adds on top. */
  now?: () => number;
  /** Delays before each webhook redelivery; its length is the number of retries (HubSpot: 10 over 24 h). */
  webhookRetryDelaysMs?: number[];
  /** Keep a log of every API call (default true). */
  logRequests?: boolean;
  /** How long a webhook target may take before the attempt counts as failed (HubSpot: 5 s). */
  webhookTimeoutMs?: number;
  /** Events raised within this window go out in one POST (≤ 100 events). Default 0 = same tick. */
  webhookBatchWindowMs?: number;
  /** Seed of the pseudo-random source behind faults, shuffling and duplicates. */
  seed?: number;
  /** Used to reach the app for webhooks and hubspot.fetch; defaults to global fetch. */
  outboundFetch?: OutboundFetch;
  /** Search sees records as they were this long ago (HubSpot's index lags writes by seconds). */
  searchIndexLagMs?: number;
}

/** mulberry32: tiny, fast and good enough to make fault and shuffle decisions reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What every module gets: state, the clock, randomness and the change bus. */
export class EmulatorContext {
  state = new EmulatorState();
  clockOffset = 0;
  readonly random: () => number;
  private listeners: ((e: ChangeEnvelope) => void)[] = [];
  private mutationListeners: (() => void)[] = [];
  outboundFetch: OutboundFetch;

  constructor(readonly opts: HubspotEmulatorOptions) {
    this.random = prng(opts.seed ?? 0x5eed);
    this.outboundFetch = opts.outboundFetch ?? ((req) => fetch(req));
  }

  now(): number {
    return (this.opts.now ?? Date.now)() + this.clockOffset;
  }

  /**
   * The base clock without advanceClock() offsets. Signature timestamps use it: receivers check
   * them against their own wall clock, and moving emulator time to expire tokens must not make
   * every signed request look stale.
   */
  signingNow(): number {
    return (this.opts.now ?? Date.now)();
  }

  iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  get tokenTtlSeconds(): number {
    return this.opts.accessTokenTtlSeconds ?? 1800;
  }

  portal(portalId: number): Portal {
    const p = this.state.portals.get(portalId);
    if (!p) throw notFound(`Portal ${portalId} does not exist`);
    return p;
  }

  onChange(fn: (e: ChangeEnvelope) => void): void {
    this.listeners.push(fn);
  }

  /** Any state change, including ones that raise no Change (tokens, schema); persistence listens. */
  onMutation(fn: () => void): void {
    this.mutationListeners.push(fn);
  }

  touched(): void {
    for (const fn of this.mutationListeners) fn();
  }

  emit(portalId: number, source: ChangeSource, change: Change): void {
    const env: ChangeEnvelope = { portalId, at: this.now(), source, change };
    for (const fn of this.listeners) fn(env);
    this.touched();
  }
}

export const UI_SOURCE = (userId?: number): ChangeSource => ({
  changeSource: 'CRM_UI',
  sourceId: userId === undefined ? undefined : `userId:${userId}`,
});

export const API_SOURCE = (appId: number): ChangeSource => ({ changeSource: 'INTEGRATION', sourceId: String(appId) });
