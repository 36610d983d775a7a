// Domain refusals travel as this error and become RFC 9457 problem+json at the HTTP edge.
export class ProgramError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, field?: string) => new ProgramError(404, 'not_found', `${what} was not found.`, field);
