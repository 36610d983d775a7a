import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export interface Limit {
  /** requests allowed per window */
  max: number;
  windowMs: number;
}

// HubSpot allows 110 requests per rolling 10 s per installed portal and 5 searches per second;
// Intercom allows a public app 10,000 calls a minute per workspace, spread over 10-second windows
// (1,667 each). We keep a little below each: a margin for jitter where answers are not settled (see
// below) and for calls we do not count; a 429 (from a workspace's shared pool, say) is handled by
// the caller's back-off.
export const LIMITS = {
  hubspot: { max: 108, windowMs: 10_000 },
  hubspotSearch: { max: 4, windowMs: 1_000 },
  intercom: { max: 1600, windowMs: 10_000 },
} satisfies Record<string, Limit>;

/**
 * A sliding-window limiter kept in PostgreSQL, so the budget of one portal or workspace holds
 * across every web and worker process. `acquire` returns once `n` request slots are reserved;
 * each reservation is one short statement on the tenant's row.
 *
 * Requests are counted in buckets of 1% of the window ([bucketStart, count] pairs), so the row
 * stays small whatever the limit. A request is counted until its bucket's END plus the window,
 * never less than a full window after it was made: the limit can only be undershot (by at most
 * 1%), never exceeded.
 *
 * Counted from the reservation, a request arriving late (a busy event loop, a slow network) could
 * land less than a window after one that came through fast, and the platform would see more than
 * the limit in its window. `settle`, once the answer is in, moves the request to the time of its
 * answer — it cannot have arrived any later — so the limit holds on arrival times, whatever the
 * latency. Only the bounds change: a request is counted at most its round trip longer.
 */
export function createRateLimiter(db: Db) {
  /** wait 0: reserved in bucket `at`; > 0: ms until enough slots free up; null: the tenant's row was just created, ask again */
  async function tryAcquire(key: string, limit: Limit, n: number): Promise<{ wait: number; at: number } | null> {
    const bucket = bucketMs(limit);
    const rows = await db.execute<{ wait_ms: number; at: string }>(sql`
      with ins as (
        insert into rate_buckets (key, stamps) values (${key}, '[]'::jsonb) on conflict (key) do nothing
      ), ${liveStamps(key, bucket, limit)}, agg as (
        select cur.t, (cur.t / ${bucket}) * ${bucket} as mine,
               coalesce((select sum(c) from live), 0)::int as used
        from cur
      ), upd as (
        update rate_buckets b set
          stamps = (
            select coalesce(jsonb_agg(jsonb_build_array(x.k, x.c) order by x.k), '[]'::jsonb)
            from (
              select k, c + case when k = agg.mine and agg.used + ${n} <= ${limit.max} then ${n} else 0 end as c from live
              union all
              select agg.mine, ${n} where agg.used + ${n} <= ${limit.max} and not exists (select 1 from live where k = agg.mine)
            ) x
          ),
          updated_at = now()
        from agg where b.key = ${key}
        returning b.key
      )
      select case when agg.used + ${n} <= ${limit.max} then 0
                  else greatest(1, (
                    select min(k + ${bucket} + ${limit.windowMs}) from (select k, sum(c) over (order by k) as freed from live) f
                    where f.freed >= agg.used + ${n} - ${limit.max}) - agg.t)
             end::int as wait_ms, agg.mine::text as at
      from agg, upd`);
    return rows[0] ? { wait: rows[0].wait_ms, at: Number(rows[0].at) } : null;
  }

  return {
    /** Reserves `n` slots; the result names them for `settle`. */
    async acquire(key: string, limit: Limit, n = 1, signal?: AbortSignal): Promise<number> {
      if (n > limit.max) throw new Error(`cannot reserve ${n} requests in a window of ${limit.max}`);
      for (;;) {
        // On the first call for a key the CTE's insert becomes visible only after the statement,
        // so that call reserves nothing and simply asks again.
        const r = await tryAcquire(key, limit, n);
        if (r === null) continue;
        if (r.wait === 0) return r.at;
        if (signal?.aborted) throw signal.reason;
        await new Promise((res) => setTimeout(res, Math.min(r.wait, limit.windowMs)));
      }
    },
    /** Moves `n` slots reserved by `acquire` (which returned `at`) to now: call it once the answer is in. */
    async settle(key: string, limit: Limit, at: number, n = 1): Promise<void> {
      const bucket = bucketMs(limit);
      await db.execute(sql`
        with ${liveStamps(key, bucket, limit)}, agg as (
          select (cur.t / ${bucket}) * ${bucket} as mine from cur
        )
        update rate_buckets b set
          stamps = (
            select coalesce(jsonb_agg(jsonb_build_array(x.k, x.c) order by x.k), '[]'::jsonb)
            from (
              select k, c - case when k = ${at}::bigint then least(c, ${n}) else 0 end + case when k = agg.mine then ${n} else 0 end as c from live
              union all
              select agg.mine, ${n} where not exists (select 1 from live where k = agg.mine)
            ) x
            where x.c > 0
          ),
          updated_at = now()
        from agg where b.key = ${key}`);
    },
    /** how many slots are used in the current window (for the console's API budget view) */
    async used(key: string, limit: Limit): Promise<number> {
      const bucket = bucketMs(limit);
      const rows = await db.execute<{ n: number }>(sql`
        select coalesce(sum((e->>1)::int), 0)::int as n from rate_buckets, jsonb_array_elements(stamps) e
        where key = ${key} and (e->>0)::bigint + ${bucket} + ${limit.windowMs} > (extract(epoch from clock_timestamp()) * 1000)::bigint`);
      return rows[0]?.n ?? 0;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

const bucketMs = (limit: Limit) => Math.max(1, Math.floor(limit.windowMs / 100));

/** `cur` (the tenant's row, locked, and the time `t` in ms) and `live` (its stamps still counted at `t`): where both statements start. */
const liveStamps = (key: string, bucket: number, limit: Limit) => sql`cur as (
    select stamps, (extract(epoch from clock_timestamp()) * 1000)::bigint as t
    from rate_buckets where key = ${key} for update
  ), live as (
    select (e->>0)::bigint as k, (e->>1)::int as c
    from cur, jsonb_array_elements(cur.stamps) e
    where (e->>0)::bigint + ${bucket} + ${limit.windowMs} > cur.t
  )`;
