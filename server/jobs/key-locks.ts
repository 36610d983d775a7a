import postgres from 'postgres';

export interface HeldLock {
  release(): Promise<void>;
}

export interface KeyLocks {
  /** The lock on `key` if no session anywhere holds it, else null; never waits. */
  tryHold(key: string): Promise<HeldLock | null>;
  end(): Promise<void>;
}

/**
 * Session advisory locks, one reserved connection per held lock, on a pool of their own: a drain
 * holds its lock for as long as it runs (a push can keep draining for a minute), and those
 * connections must never be the ones its own queries wait for. A killed process's locks go with
 * its sessions, so nothing is left to expire.
 */
export function createKeyLocks(url: string, max: number): KeyLocks {
  const sql = postgres(url, { max, onnotice: () => {}, connection: { application_name: 'refcard-locks' } });
  return {
    async tryHold(key) {
      const conn = await sql.reserve();
      try {
        const [row] = await conn<{ held: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as held`;
        if (!row?.held) {
          conn.release();
          return null;
        }
      } catch (err) {
        conn.release();
        throw err;
      }
      return {
        async release() {
          try {
            await conn`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
          } finally {
            // (an unlock fails only with its session, and a session's end releases its locks)
            conn.release();
          }
        },
      };
    },
    end: () => sql.end({ timeout: 5 }),
  };
}
