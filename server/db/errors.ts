/** The PostgreSQL error in an error's chain (drizzle wraps the driver's error as its `cause`). */
function postgresError(err: unknown): { code: string; message: string } | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if ((e as Error).name === 'PostgresError' && typeof code === 'string') return { code, message: (e as Error).message };
  }
  return undefined;
}

/** The SQLSTATE of a PostgreSQL error, or undefined for anything that is not one. */
export const sqlState = (err: unknown): string | undefined => postgresError(err)?.code;

/**
 * What went wrong, in words fit for an audit trail: PostgreSQL's own message and SQLSTATE, not
 * the wrapper's, which repeats the statement with its parameters (people's data).
 */
export function errorText(err: unknown): string {
  const pg = postgresError(err);
  if (pg) return `${pg.message} (SQLSTATE ${pg.code})`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * An error that will come back however often the same work is retried: PostgreSQL refusing the
 * data (SQLSTATE classes 22, 23), a statement that cannot work (42) or a trigger's refusal (P0),
 * or a bug (TypeError and kin). Anything else — a lost connection, a deadlock, a timeout, a CRM
 * that cannot be reached — may pass, and is worth retrying.
 */
export function failsEveryTime(err: unknown): boolean {
  const state = sqlState(err);
  if (state) return ['22', '23', '42', 'P0'].includes(state.slice(0, 2));
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
}
