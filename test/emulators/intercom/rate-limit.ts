// Intercom's REST rate limits: a per-minute budget spread over fixed 10-second windows, counted
// per app installation (token) and per workspace (shared by all its apps). A request must fit
// both; only admitted requests count. The check-and-increment is synchronous, so concurrent
// requests can never overshoot a window.
import { windowLimit, type RateLimitSettings } from './settings.ts';

export interface RateDecision {
  ok: boolean;
  /** The budget of the window that is closest to running out (what the headers report). */
  limit: number;
  remaining: number;
  /** Unix seconds at which the current window ends. */
  reset: number;
  windowSeconds: number;
}

interface Bucket { start: number; count: number }

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private readonly settings: () => RateLimitSettings, private readonly now: () => number) {}

  private bucket(key: string, start: number): Bucket {
    let b = this.buckets.get(key);
    if (!b || b.start !== start) this.buckets.set(key, (b = { start, count: 0 }));
    return b;
  }

  check(installKey: string, workspaceKey: string): RateDecision {
    const s = this.settings();
    const start = Math.floor(this.now() / s.windowMs) * s.windowMs;
    const reset = Math.ceil((start + s.windowMs) / 1000);
    const windowSeconds = Math.max(1, Math.round(s.windowMs / 1000));
    const appLimit = windowLimit(s.perAppPerMinute);
    const wsLimit = windowLimit(s.perWorkspacePerMinute);
    const app = this.bucket(`app:${installKey}`, start);
    const ws = this.bucket(`ws:${workspaceKey}`, start);
    if (s.enabled && (app.count >= appLimit || ws.count >= wsLimit)) {
      const limit = app.count >= appLimit ? appLimit : wsLimit;
      return { ok: false, limit, remaining: 0, reset, windowSeconds };
    }
    app.count++;
    ws.count++;
    const appLeft = Math.max(0, appLimit - app.count);
    const wsLeft = Math.max(0, wsLimit - ws.count);
    return appLeft <= wsLeft
      ? { ok: true, limit: appLimit, remaining: appLeft, reset, windowSeconds }
      : { ok: true, limit: wsLimit, remaining: wsLeft, reset, windowSeconds };
  }

  reset(): void {
    this.buckets.clear();
  }
}

export const rateLimitHeaders = (d: RateDecision): Record<string, string> => ({
  'X-RateLimit-Limit': String(d.limit),
  'X-RateLimit-Remaining': String(d.remaining),
  'X-RateLimit-Reset': String(d.reset),
});
