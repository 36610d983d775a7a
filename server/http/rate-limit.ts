/**
 * A per-process fixed-window limiter for public routes (landing form, API). It bounds abuse from one
 * client cheaply; it is not the CRM-facing limiter, which must hold across processes. Calling it
 * counts one request and says whether it is allowed; `retryAfterMs` says when a refused key's
 * window ends (for a Retry-After header).
 */
export function fixedWindowLimiter(opts: { windowMs: number; max: number; maxKeys?: number }) {
  const windows = new Map<string, { start: number; count: number }>();
  const maxKeys = opts.maxKeys ?? 50_000;
  const allow = (key: string, now = Date.now()): boolean => {
    let w = windows.get(key);
    if (!w || now - w.start >= opts.windowMs) {
      if (windows.size >= maxKeys) {
        for (const [k, v] of windows) if (now - v.start >= opts.windowMs) windows.delete(k);
        if (windows.size >= maxKeys) windows.clear();
      }
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    w.count += 1;
    return w.count <= opts.max;
  };
  return Object.assign(allow, {
    retryAfterMs(key: string, now = Date.now()): number {
      const w = windows.get(key);
      return w ? Math.max(0, w.start + opts.windowMs - now) : 0;
    },
  });
}

/** Whole seconds for a Retry-After header: never 0 for a refused request. */
export const retryAfterSeconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));
