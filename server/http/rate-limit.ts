/**
 * A per-process fixed-window limiter for public routes (landing form, API). It bounds abuse from one
 * client cheaply; it is not the CRM-facing limiter, which must hold across processes.
 */
export function fixedWindowLimiter(opts: { windowMs: number; max: number; maxKeys?: number }) {
  const windows = new Map<string, { start: number; count: number }>();
  const maxKeys = opts.maxKeys ?? 50_000;
  return (key: string, now = Date.now()): boolean => {
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
}
