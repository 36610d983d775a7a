import { createMiddleware } from 'hono/factory';
import { fixedWindowLimiter, retryAfterSeconds } from '../http/rate-limit.ts';
import { problem, problemResponse } from '../http/problem.ts';
import type { ApiEnv } from './env.ts';

/** Requests one API key may make per minute, per server process. */
export const API_RATE_LIMIT = { windowMs: 60_000, max: 600 };

/**
 * Bounds what one API key can ask of a process: past the limit, 429 problem+json with Retry-After
 * (seconds until the key's window ends). Runs after authentication, so it counts per key, and
 * before anything else, so a refused request costs nothing.
 */
export function apiRateLimit(limit = API_RATE_LIMIT) {
  const allow = fixedWindowLimiter(limit);
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = c.get('actor').id ?? c.get('accountId');
    if (!allow(key)) {
      const retryAfter = retryAfterSeconds(allow.retryAfterMs(key));
      return problemResponse(
        c,
        problem(429, 'rate_limited', `This API key made more than ${limit.max} requests in ${limit.windowMs / 1000} s. Retry in ${retryAfter} s.`, { retry_after: Number(retryAfter) }),
        { 'retry-after': retryAfter },
      );
    }
    await next();
  });
}
