// HubSpot's limits for marketplace apps: 110 requests per rolling 10 s per (app, installing portal),
// and CRM search at 5 per second per portal (search does not count against the 10 s budget).
// A sliding log of timestamps makes the window exact: request n+1 inside any window is refused.

export interface RateLimitConfig {
  enabled: boolean;
  max: number;
  windowMs: number;
  searchMax: number;
  searchWindowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  max: 110,
  windowMs: 10_000,
  searchMax: 5,
  searchWindowMs: 1_000,
};

export interface RateDecision {
  ok: boolean;
  remaining: number;
}

class SlidingLog {
  private stamps: number[] = [];
  private head = 0;

  take(now: number, windowMs: number, max: number): RateDecision {
    // Only stamps strictly inside (now - window, now] count.
    while (this.head < this.stamps.length && this.stamps[this.head] <= now - windowMs) this.head++;
    if (this.head > 1024) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    const used = this.stamps.length - this.head;
    if (used >= max) return { ok: false, remaining: 0 };
    this.stamps.push(now);
    return { ok: true, remaining: max - used - 1 };
  }
}

export class RateLimiter {
  config: RateLimitConfig;
  private logs = new Map<string, SlidingLog>();

  constructor(enabled: boolean) {
    this.config = { ...DEFAULT_RATE_LIMITS, enabled };
  }

  configure(patch: Partial<RateLimitConfig>): RateLimitConfig {
    this.config = { ...this.config, ...patch };
    return this.config;
  }

  private log(key: string): SlidingLog {
    let l = this.logs.get(key);
    if (!l) this.logs.set(key, (l = new SlidingLog()));
    return l;
  }

  /** The 10-second budget of one app in one portal. */
  takeGeneral(appId: number, portalId: number, now: number): RateDecision {
    if (!this.config.enabled) return { ok: true, remaining: this.config.max };
    return this.log(`app:${appId}:${portalId}`).take(now, this.config.windowMs, this.config.max);
  }

  /** The per-portal search budget, shared by every app installed there. */
  takeSearch(portalId: number, now: number): RateDecision {
    if (!this.config.enabled) return { ok: true, remaining: this.config.searchMax };
    return this.log(`search:${portalId}`).take(now, this.config.searchWindowMs, this.config.searchMax);
  }

  reset(): void {
    this.logs.clear();
  }

  headers(d: RateDecision): Record<string, string> {
    return {
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.config.windowMs),
      'X-HubSpot-RateLimit-Max': String(this.config.max),
      'X-HubSpot-RateLimit-Remaining': String(d.remaining),
    };
  }
}
