// How Intercom failures are told apart. A 401 is handled in client.ts (the connection is gone);
// everything else reaches callers as one of these two, so each caller decides only between
// "give up on this item" and "try the whole job again later".

/** Intercom refused this request for good (4xx other than 401/429): retrying the same call cannot help. */
export class IntercomApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** Intercom could not answer now (5xx, timeout, network, a 429 that outlasted our back-off). */
export class IntercomUnavailable extends Error {}

/** `{ type: "error.list", errors: [{ code, message }] }`, or whatever else came back. */
export function errorDetail(body: unknown): { code: string | null; message: string | null } {
  const first = (body as { errors?: { code?: unknown; message?: unknown }[] } | null)?.errors?.[0];
  return {
    code: typeof first?.code === 'string' ? first.code : null,
    message: typeof first?.message === 'string' ? first.message : null,
  };
}

/**
 * The existing contact named by Intercom's undocumented 409 on `POST /contacts`:
 * "A contact matching those details already exists with id=<id>". An archived duplicate has a
 * different message; it still names the id.
 */
export function conflictingContactId(err: unknown): string | null {
  if (!(err instanceof IntercomApiError) || err.status !== 409) return null;
  return /\bid=([A-Za-z0-9_-]+)/.exec(err.message)?.[1] ?? null;
}

/** "Custom attribute 'referral_link' does not exist": our data attributes are missing in the workspace. */
export function isMissingAttribute(err: unknown): boolean {
  return err instanceof IntercomApiError && err.status === 400 && /attribute .* (does not exist|not found)/i.test(err.message);
}

export const isNotFound = (err: unknown) => err instanceof IntercomApiError && err.status === 404;
