// Fault injection for the REST API: a share of 5xx answers, added latency, dropped connections,
// and "the next N calls fail with X" — what tests need to see the SDK and our code recover or
// give up. Faults hit before authentication, so they never consume rate-limit budget.

export type FaultKind = number | 'drop' | 'timeout';

export interface FaultMatch {
  method?: string;
  /** Exact path, or a pattern tested against the path. */
  path?: string | RegExp;
}

export interface FaultSettings {
  /** Share (0–1) of matching requests answered with `errorStatus`. */
  errorRate?: number;
  errorStatus?: number;
  /** Share (0–1) of matching requests whose connection is dropped without an answer. */
  dropRate?: number;
  /** Added before every matching request: a fixed delay or a [min, max] range. */
  latencyMs?: number | [number, number];
  /** How long a 'timeout' fault holds the request before giving up on it (the client aborts first). */
  hangMs?: number;
  /** Restricts the random faults above to some requests. */
  match?: FaultMatch;
  /** Seeds the random faults so a test run is repeatable. */
  seed?: number;
}

export interface FaultDecision { delayMs: number; fault: FaultKind | null; hangMs: number }

interface Scheduled { remaining: number; kind: FaultKind; match?: FaultMatch }

const matches = (m: FaultMatch | undefined, method: string, path: string): boolean => {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path instanceof RegExp) return m.path.test(path);
  if (typeof m.path === 'string') return m.path === path;
  return true;
};

const mulberry32 = (seed: number) => () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

export class Faults {
  private settings: FaultSettings = {};
  private scheduled: Scheduled[] = [];
  private random: () => number = Math.random;

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
    this.random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
  }

  /** The next `count` matching calls fail with `kind` (an HTTP status, 'drop' or 'timeout'). */
  failNext(count: number, kind: FaultKind = 500, match?: FaultMatch): void {
    this.scheduled.push({ remaining: count, kind, match });
  }

  clear(): void {
    this.settings = {};
    this.scheduled = [];
    this.random = Math.random;
  }

  decide(method: string, path: string): FaultDecision {
    const s = this.settings;
    const hangMs = s.hangMs ?? 60_000;
    let fault: FaultKind | null = null;
    const next = this.scheduled.find((f) => f.remaining > 0 && matches(f.match, method, path));
    if (next) {
      next.remaining--;
      fault = next.kind;
      this.scheduled = this.scheduled.filter((f) => f.remaining > 0);
    }
    const applies = matches(s.match, method, path);
    let delayMs = 0;
    if (applies && s.latencyMs !== undefined) {
      delayMs = Array.isArray(s.latencyMs) ? s.latencyMs[0] + this.random() * (s.latencyMs[1] - s.latencyMs[0]) : s.latencyMs;
    }
    if (fault === null && applies) {
      if (s.dropRate && this.random() < s.dropRate) fault = 'drop';
      else if (s.errorRate && this.random() < s.errorRate) fault = s.errorStatus ?? 500;
    }
    return { delayMs, fault, hangMs };
  }
}
