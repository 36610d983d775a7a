import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export interface Limit {
  /** requests allowed per window */
  max: number;
  windowMs: number;
}

// HubSpot allows 110 requests per rolling 10 s per installed portal and 5 searches per second;
// Intercom allows a public app 10,000 calls a minute per workspace, spread over 10-second windows
// (1,667 each). We keep a little below each so network jitter between our clock and theirs never
// tips a window over; a 429 from the workspace's shared pool is handled by the caller's back-off.
export const LIMITS = {
  hubspot: { max: 108, windowMs: 10_000 },
  hubspotSearch: { max: 4, windowMs: 1_000 },
  intercom: { max: 1600, windowMs: 10_000 },
} satisfies Record<string, Limit>;

/**
 * A sliding-window limiter kept in PostgreSQL, so the budget of one portal or workspace holds
 * across every web and worker process. `acquire` returns once `n` request slots are reserved;
 * each reservation is one short transaction on the tenant's row.
 */
export function createRateLimiter(db: Db) {
  /** 0: reserved; > 0: ms until enough slots free up; null: the tenant's row was just created, ask again */
  async function tryAcquire(key: string, limit: Limit, n: number): Promise<number | null> {
    const rows = await db.execute<{ wait_ms: number }>(sql`
      with ins as (
        insert into rate_buckets (key, stamps) values (${key}, '[]'::jsonb) on conflict (key) do nothing
      ), cur as (
        select stamps from rate_buckets where key = ${key} for update
      ), live as (
        select coalesce(jsonb_agg(s order by s), '[]'::jsonb) as stamps
        from cur, jsonb_array_elements(cur.stamps) s
        where (s)::bigint > (extract(epoch from clock_timestamp()) * 1000)::bigint - ${limit.windowMs}
      ), decide as (
        select stamps, jsonb_array_length(stamps) as used,
               (extract(epoch from clock_timestamp()) * 1000)::bigint as now_ms from live
      ), upd as (
        update rate_buckets b set
          stamps = case when d.used + ${n} <= ${limit.max}
                        then d.stamps || to_jsonb(array_fill(d.now_ms, array[${n}::int]))
                        else d.stamps end,
          updated_at = now()
        from decide d where b.key = ${key}
        returning b.key
      )
      select case when d.used + ${n} <= ${limit.max} then 0
                  else greatest(1, ((d.stamps -> (d.used + ${n} - ${limit.max} - 1))::bigint + ${limit.windowMs}) - d.now_ms)
             end::int as wait_ms
      from decide d, upd`);
    return rows[0]?.wait_ms ?? null;
  }

  return {
    async acquire(key: string, limit: Limit, n = 1, signal?: AbortSignal): Promise<void> {
      if (n > limit.max) throw new Error(`cannot reserve ${n} requests in a window of ${limit.max}`);
      for (;;) {
        // On the first call for a key the CTE's insert becomes visible only after the statement,
        // so that call reserves nothing and simply asks again.
        const wait = await tryAcquire(key, limit, n);
        if (wait === null) continue;
        if (wait === 0) return;
        if (signal?.aborted) throw signal.reason;
        await new Promise((r) => setTimeout(r, Math.min(wait, limit.windowMs)));
      }
    },
    /** how many slots are used in the current window (for the console's API budget view) */
    async used(key: string, limit: Limit): Promise<number> {
      const rows = await db.execute<{ n: number }>(sql`
        select count(*)::int as n from rate_buckets, jsonb_array_elements(stamps) s
        where key = ${key} and (s)::bigint > (extract(epoch from clock_timestamp()) * 1000)::bigint - ${limit.windowMs}`);
      return rows[0]?.n ?? 0;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
