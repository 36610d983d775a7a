import { Client } from '@hubspot/api-client';
import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { ConnectionUnavailable, markDisconnected } from '../platform/connections.ts';
import { createRateLimiter, LIMITS, type RateLimiter } from '../platform/rate-limiter.ts';
import { hubspotConfig } from './app-meta.ts';
import { errorBody, HubspotApiError, HubspotUnavailable, isSdkError } from './errors.ts';
import { expireToken, hubspotToken } from './tokens.ts';

// Every HubSpot API call goes through `call()`. The SDK's own limiter and retries stay off: its
// settings live in a process-wide singleton that the next `new Client()` silently resets, and its
// retries would bypass our budget. Instead each call takes a slot from the portal's limiter in
// PostgreSQL (so all processes together stay under 110 requests / 10 s and 5 searches / s, counted
// until a window after each answer: HubSpot counts arrivals, and those lag us by a varying delay), runs
// under our own deadline (the SDK has none), and 429s, 5xx and dropped connections are retried
// here with back-off. A fresh Client per portal and token: nothing mutable is shared across portals.

const DEADLINE_MS = 20_000;
const MAX_RATE_LIMITED_TRIES = 8;
const MAX_TRANSIENT_TRIES = 3;
/**
 * Refreshes after a 401 before concluding the access is revoked. One is not enough: with calls in
 * parallel, the token a call retries with may be one another call refreshed a while ago, since
 * expired. (A real revocation usually shows sooner, as HubSpot refusing the refresh itself.)
 */
const MAX_REAUTHORISATIONS = 2;

export const REVOKED_REASON =
  'HubSpot refused Refcard’s access token (401) even after a refresh: the app was uninstalled or its access revoked. Install Refcard again to resume; pending updates are kept.';

export interface HubspotApi {
  readonly connectionId: string;
  readonly portalId: string;
  call<T>(what: string, fn: (client: Client) => Promise<T>, opts?: { search?: boolean }): Promise<T>;
}

const limiters = new WeakMap<object, RateLimiter>();
export function limiterFor(ctx: AppContext): RateLimiter {
  let l = limiters.get(ctx.db);
  if (!l) limiters.set(ctx.db, (l = createRateLimiter(ctx.db)));
  return l;
}

export const portalLimitKey = (portalId: string) => `hubspot:${portalId}`;
export const portalSearchLimitKey = (portalId: string) => `hubspot-search:${portalId}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HubspotUnavailable(`HubSpot did not answer ${what} within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Our deadline, or fetch failing to connect / losing the connection — not a bug in `fn`. */
function isNetworkFailure(err: unknown): boolean {
  return err instanceof HubspotUnavailable || (err instanceof TypeError && /fetch failed|terminated|socket|network/i.test(err.message));
}

/** A client for one connected portal. Throws ConnectionUnavailable once the connection is disconnected. */
export function hubspotApi(ctx: AppContext, connection: Pick<Connection, 'id' | 'externalId'>): HubspotApi {
  const cfg = hubspotConfig(ctx);
  const limiter = limiterFor(ctx);
  let current: { token: string; client: Client } | null = null;
  const client = async () => {
    if (!current) {
      const token = await hubspotToken(ctx, connection.id);
      current = { token, client: new Client({ accessToken: token, basePath: cfg.apiBase }) };
    }
    return current;
  };

  return {
    connectionId: connection.id,
    portalId: connection.externalId,
    async call(what, fn, opts = {}) {
      let limited = 0;
      let transient = 0;
      let reauthorised = 0;
      for (;;) {
        const c = await client();
        const [key, limit] = opts.search ? [portalSearchLimitKey(connection.externalId), LIMITS.hubspotSearch] : [portalLimitKey(connection.externalId), LIMITS.hubspot];
        const slot = await limiter.acquire(key, limit);
        try {
          return await withDeadline(fn(c.client), what).finally(() =>
            // Unsettled, the slot stays counted from its reservation: the answer still stands.
            limiter.settle(key, limit, slot).catch((e) => ctx.log.warn({ err: e }, 'could not settle a HubSpot rate-limit slot')),
          );
        } catch (err) {
          const status = isSdkError(err) ? err.code : undefined;
          if (status === 429) {
            if (++limited > MAX_RATE_LIMITED_TRIES) throw new HubspotUnavailable(`HubSpot kept rate-limiting ${what}`);
            // Another app or process spent the portal's budget: wait for the window to roll on.
            const body = errorBody(isSdkError(err) ? err.body : null);
            const base = body?.policyName === 'SECONDLY' ? 1000 : 500 * 2 ** (limited - 1);
            await sleep(jitter(Math.min(base, 10_000)));
            continue;
          }
          if (status === 401) {
            if (reauthorised >= MAX_REAUTHORISATIONS) {
              await markDisconnected(ctx.db, connection.id, REVOKED_REASON);
              throw new ConnectionUnavailable(connection.id, REVOKED_REASON);
            }
            // Our clock said the token was fresh and HubSpot disagrees: refresh and try again.
            reauthorised++;
            await expireToken(ctx, connection.id, c.token);
            current = null;
            continue;
          }
          if (status === undefined ? isNetworkFailure(err) : status >= 500 || status === 423) {
            if (++transient > MAX_TRANSIENT_TRIES) {
              throw err instanceof HubspotUnavailable ? err : new HubspotUnavailable(`HubSpot failed ${what}: ${status ?? (err as Error).message}`);
            }
            await sleep(jitter(status === 423 ? 2000 : 250 * 2 ** (transient - 1)));
            continue;
          }
          if (status === undefined) throw err;
          throw new HubspotApiError(what, status, errorBody(isSdkError(err) ? err.body : null));
        }
      }
    },
  };
}
