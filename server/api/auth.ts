import { createMiddleware } from 'hono/factory';
import { eq, and, or, isNull, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { accountForApiKey } from '../program/accounts.ts';
import { apiKeys } from '../db/schema.ts';
import { problem, problemResponse } from '../http/problem.ts';
import type { ApiEnv } from './env.ts';

/** `Authorization: Bearer <API key>` → the key's account; every query below is scoped to it. */
export function requireApiKey(ctx: AppContext) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      return problemResponse(c, problem(401, 'missing_api_key', 'Send your API key as "Authorization: Bearer <key>".', { field: 'authorization' }), {
        'www-authenticate': 'Bearer realm="refcard"',
      });
    }
    const found = await accountForApiKey(ctx.db, m[1]!);
    if (!found) {
      return problemResponse(c, problem(401, 'invalid_api_key', 'This API key is unknown or has been revoked.', { field: 'authorization' }), {
        'www-authenticate': 'Bearer realm="refcard", error="invalid_token"',
      });
    }
    c.set('accountId', found.accountId);
    c.set('actor', { type: 'api_key', id: found.keyId, label: found.name, source: 'api' });
    // Last-used is informative only: written at most once a minute per key, off the request's path.
    void ctx.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(apiKeys.id, found.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))))
      .catch(() => {});
    await next();
  });
}
