import { randomUUID } from 'node:crypto';

// Chaos for API calls: a share of 5xx, 423 "locked", added latency, and dropped connections (the
// socket is destroyed when served over HTTP; in-process callers get fetch's TypeError). Decisions
// draw from the emulator's seeded random source, so a failing run can be replayed.

export interface FaultConfig {
  /** Share (0..1) of requests answered with one of errorStatuses. */
  errorRate?: number;
  errorStatuses?: number[];
  /** Share answered 423 Locked (HubSpot: retry in about 2 s). */
  lockedRate?: number;
  /** Share of connections dropped without an answer. */
  dropRate?: number;
  /** Added latency: a fixed number of ms or a [min, max] range. */
  latencyMs?: number | [number, number];
  /** The next requests get exactly these statuses, in order, before any random fault. */
  nextStatuses?: number[];
  /** Drop the next n connections. */
  dropNext?: number;
  /** Only requests whose path matches (prefix string or RegExp); OAuth calls included unless excluded here. */
  path?: string | RegExp;
  portalId?: number;
  appId?: number;
}

export type FaultDecision =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'status'; status: number; latencyMs: number }
  | { kind: 'drop'; latencyMs: number };

export class Faults {
  private config: FaultConfig = {};

  constructor(private readonly random: () => number) {}

  set(config: FaultConfig): void {
    this.config = { ...config, nextStatuses: [...(config.nextStatuses ?? [])] };
  }

  clear(): void {
    this.config = {};
  }

  current(): FaultConfig {
    return { ...this.config };
  }

  decide(path: string, portalId?: number, appId?: number): FaultDecision {
    const c = this.config;
    const none: FaultDecision = { kind: 'none', latencyMs: 0 };
    if (c.path !== undefined) {
      const ok = c.path instanceof RegExp ? c.path.test(path) : path.startsWith(c.path);
      if (!ok) return none;
    }
    if (c.portalId !== undefined && portalId !== undefined && c.portalId !== portalId) return none;
    if (c.appId !== undefined && appId !== undefined && c.appId !== appId) return none;
    const latencyMs = this.latency();
    if (c.dropNext && c.dropNext > 0) {
      c.dropNext--;
      return { kind: 'drop', latencyMs };
    }
    const next = c.nextStatuses?.shift();
    if (next !== undefined) return { kind: 'status', status: next, latencyMs };
    const r = this.random();
    let edge = c.dropRate ?? 0;
    if (r < edge) return { kind: 'drop', latencyMs };
    edge += c.errorRate ?? 0;
    if (r < edge) {
      const statuses = c.errorStatuses?.length ? c.errorStatuses : [502, 503, 504];
      return { kind: 'status', status: statuses[Math.floor(this.random() * statuses.length)], latencyMs };
    }
    edge += c.lockedRate ?? 0;
    if (r < edge) return { kind: 'status', status: 423, latencyMs };
    return { kind: 'none', latencyMs };
  }

  private latency(): number {
    const l = this.config.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === 'number') return l;
    return l[0] + Math.floor(this.random() * (l[1] - l[0] + 1));
  }
}

const MESSAGES: Record<number, [string, string]> = {
  423: ['LOCKED', 'The resource is locked by another request. Retry in 2 seconds.'],
  500: ['INTERNAL_ERROR', 'internal error'],
  502: ['BAD_GATEWAY', 'Bad Gateway'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
  504: ['GATEWAY_TIMEOUT', 'Gateway Timeout'],
};

/** JSON even for gateway errors: the SDK only retries 5xx it can parse into an ApiException. */
export function faultBody(status: number): Record<string, unknown> {
  const [category, message] = MESSAGES[status] ?? ['FAULT_INJECTED', `Injected fault ${status}`];
  return { status: 'error', message, correlationId: randomUUID(), category };
}
