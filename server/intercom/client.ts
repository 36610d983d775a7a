import { IntercomClient, IntercomError } from 'intercom-client';
import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import type { IntercomAppConfig } from '../config.ts';
import { accessToken, ConnectionUnavailable, markDisconnected } from '../platform/connections.ts';
import { createRateLimiter, LIMITS, type RateLimiter } from '../platform/rate-limiter.ts';
import { errorDetail, IntercomApiError, IntercomUnavailable } from './errors.ts';

// Every Intercom REST call goes through `call()`: paced by the PostgreSQL limiter of the
// workspace (so all processes together stay under Intercom's budget), with our own 429 and
// transient-failure handling instead of the SDK's (its retries would bypass the limiter), and a
// 401 turning the connection `disconnected` at once — Intercom tokens never expire, so a 401
// means the app was uninstalled or its access revoked, and no retry can fix it.

const MAX_RATE_LIMITED_TRIES = 8;
const MAX_TRANSIENT_TRIES = 2;
const MAX_WAIT_MS = 10_000;
/** At most this many slots per reservation, so one batch never books a whole window ahead. */
const RESERVE_CHUNK = 100;

export const REVOKED_REASON =
  'Intercom refused Refcard’s access token (401): the app was uninstalled or its access revoked. Install Refcard again from the Intercom App Store to resume; pending updates are kept.';

export function intercomConfig(ctx: Pick<AppContext, 'config'>): IntercomAppConfig {
  if (!ctx.config.intercom) throw new Error('Intercom is not configured (INTERCOM_CLIENT_ID / INTERCOM_CLIENT_SECRET)');
  return ctx.config.intercom;
}

export interface IntercomApi {
  readonly connectionId: string;
  readonly workspaceId: string;
  call<T>(what: string, fn: (client: IntercomClient) => Promise<T>): Promise<T>;
  /**
   * Takes `n` slots of the workspace's budget in one go for calls about to be made. Each limiter
   * round trip locks the workspace's row, so a batch that pays up front costs one round trip
   * instead of `n` serialised ones; slots not used are simply spent.
   */
  reserve(n: number): Promise<void>;
}

const limiters = new WeakMap<object, RateLimiter>();
function limiterFor(ctx: AppContext): RateLimiter {
  let l = limiters.get(ctx.db);
  if (!l) limiters.set(ctx.db, (l = createRateLimiter(ctx.db)));
  return l;
}

export const workspaceLimitKey = (workspaceId: string) => `intercom:${workspaceId}`;

/** A client for one connected workspace. Throws ConnectionUnavailable once the connection is disconnected. */
export function intercomApi(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): IntercomApi {
  const cfg = intercomConfig(ctx);
  const limiter = limiterFor(ctx);
  let client: Promise<{ token: string; sdk: IntercomClient }> | null = null;
  let prepaid = 0;
  const key = workspaceLimitKey(connection.externalId);
  const currentToken = () => accessToken(ctx, connection.id, async () => ({ ok: false, refused: true, message: 'Intercom tokens cannot be refreshed' }));
  const getClient = () =>
    (client ??= currentToken().then((token) => ({ token, sdk: new IntercomClient({ token, baseUrl: cfg.apiBase, maxRetries: 0, timeoutInSeconds: 20 }) })));

  return {
    connectionId: connection.id,
    workspaceId: connection.externalId,
    async call(what, fn) {
      let limited = 0;
      let transient = 0;
      let reloaded = false;
      for (;;) {
        const c = await getClient();
        if (prepaid > 0) prepaid--;
        else await limiter.acquire(key, LIMITS.intercom);
        try {
          return await fn(c.sdk);
        } catch (err) {
          if (!(err instanceof IntercomError)) throw err;
          const status = err.statusCode;
          const detail = errorDetail(err.body);
          if (status === 401) {
            // A reinstall may have replaced the token while this call was out: use the new one
            // rather than disconnecting a connection that was just repaired.
            if ((await currentToken()) !== c.token && !reloaded) {
              reloaded = true;
              client = null;
              continue;
            }
            await markDisconnected(ctx.db, connection.id, REVOKED_REASON);
            ctx.log.warn({ connectionId: connection.id, what }, 'Intercom answered 401: connection marked disconnected');
            throw new ConnectionUnavailable(connection.id, REVOKED_REASON);
          }
          if (status === 429) {
            if (++limited > MAX_RATE_LIMITED_TRIES) throw new IntercomUnavailable(`${what}: still rate limited after ${MAX_RATE_LIMITED_TRIES} waits`);
            const wait = rateLimitWait(err, limited);
            ctx.log.debug({ what, wait, workspace: connection.externalId }, 'Intercom rate limit: waiting');
            await sleep(wait);
            continue;
          }
          if (status === undefined || status === 408 || status >= 500) {
            if (++transient > MAX_TRANSIENT_TRIES) throw new IntercomUnavailable(`${what}: ${status ? `HTTP ${status}` : err.message}`);
            await sleep(250 * 4 ** (transient - 1));
            continue;
          }
          throw new IntercomApiError(status, detail.code, detail.message ?? `${what}: HTTP ${status}`);
        }
      }
    },
    async reserve(n) {
      for (let left = Math.floor(n); left > 0; ) {
        const take = Math.min(left, RESERVE_CHUNK);
        await limiter.acquire(key, LIMITS.intercom, take);
        prepaid += take;
        left -= take;
      }
    },
  };
}

/** Until the window resets: `Retry-After`, else `X-RateLimit-Reset` (unix seconds), else doubling. */
export function rateLimitWait(err: IntercomError, attempt: number, now = Date.now()): number {
  const headers = err.rawResponse?.headers;
  const jitter = Math.random() * 200;
  const retryAfter = Number(headers?.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return clamp(retryAfter * 1000 + jitter);
  const reset = Number(headers?.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return clamp(reset * 1000 - now + jitter);
  return clamp(500 * 2 ** (attempt - 1) + jitter);
}

const clamp = (ms: number) => Math.min(MAX_WAIT_MS, Math.max(50, Math.round(ms)));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
