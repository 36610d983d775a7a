import { createMiddleware } from 'hono/factory';
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { sha256Hex } from '../platform/crypto.ts';
import { problem, problemResponse } from '../http/problem.ts';
import type { ApiEnv } from './env.ts';

/**
 * `Idempotency-Key` on POST: the first request with a key claims it; a repeat with the same body
 * gets the first answer (marked `Idempotent-Replayed: true`); the same key with another body is
 * refused; a repeat while the first is still running is told to retry. Server errors and requests
 * refused before they ran release the key so the retry can run.
 */
const RELEASED = new Set([400, 401, 413, 415]);

export function idempotency(ctx: AppContext) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      return problemResponse(c, problem(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 characters.', { field: 'Idempotency-Key' }));
    }
    const accountId = c.get('accountId');
    const body = await c.req.text();
    const requestHash = sha256Hex(`${c.req.method} ${c.req.path}\n${body}`);
    const claimed = await ctx.db
      .insert(idempotencyKeys)
      .values({ accountId, key, method: c.req.method, path: c.req.path, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    const where = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
    if (claimed.length === 0) {
      const [prior] = await ctx.db.select().from(idempotencyKeys).where(where);
      if (!prior || prior.requestHash !== requestHash) {
        return problemResponse(c, problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.', { field: 'Idempotency-Key' }));
      }
      if (prior.responseStatus === null) {
        return problemResponse(c, problem(409, 'idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry shortly.', { field: 'Idempotency-Key' }), { 'retry-after': '1' });
      }
      const type = prior.responseStatus >= 400 ? 'application/problem+json' : 'application/json';
      return new Response(JSON.stringify(prior.responseBody), { status: prior.responseStatus, headers: { 'content-type': type, 'idempotent-replayed': 'true' } });
    }
    try {
      await next();
    } catch (err) {
      await ctx.db.delete(idempotencyKeys).where(where);
      throw err;
    }
    const res = c.res;
    // A request that never ran (refused for its shape, its key or its media type) stores nothing:
    // the client corrects it and retries with the same key. Domain answers (409, 422) are stored.
    if (res.status >= 500 || RELEASED.has(res.status)) {
      await ctx.db.delete(idempotencyKeys).where(where);
      return;
    }
    const text = await res.clone().text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    await ctx.db.update(idempotencyKeys).set({ responseStatus: res.status, responseBody: json }).where(where);
  });
}
