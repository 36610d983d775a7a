// Intercom's error envelope. Every non-2xx API answer has this shape so the SDK's
// IntercomError carries a body that looks exactly like production.
import { randomUUID } from 'node:crypto';

export interface ErrorItem {
  code: string;
  message?: string | null;
  field?: string | null;
}

export interface ErrorEnvelope {
  type: 'error.list';
  request_id: string | null;
  errors: ErrorItem[];
}

/** Thrown by the domain layer; the server turns it into the envelope with its status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  toBody(requestId: string | null = randomUUID()): ErrorEnvelope {
    const item: ErrorItem = { code: this.code, message: this.message };
    if (this.field) item.field = this.field;
    return { type: 'error.list', request_id: requestId, errors: [item] };
  }
}

export const errorBody = (code: string, message: string, requestId: string | null = randomUUID()): ErrorEnvelope => ({
  type: 'error.list',
  request_id: requestId,
  errors: [{ code, message }],
});

// The messages below are the ones Intercom's own examples (OAS 2.14) and observed traffic use;
// tests and the app match on them, so keep them verbatim.
export const unauthorized = () => new ApiError(401, 'unauthorized', 'Access Token Invalid');
export const contactNotFound = () => new ApiError(404, 'not_found', 'User Not Found');
export const resourceNotFound = () => new ApiError(404, 'not_found', 'Resource Not Found');
export const adminNotFound = () => new ApiError(404, 'admin_not_found', 'Admin not found');
export const invalid = (message: string, field?: string) => new ApiError(400, 'parameter_invalid', message, field);
export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const conflict = (id: string) =>
  new ApiError(409, 'conflict', `A contact matching those details already exists with id=${id}`);
export const rateLimited = (limit: number, windowSeconds: number) =>
  new ApiError(429, 'rate_limit_exceeded', `Exceeded rate limit of ${limit} in ${windowSeconds}_seconds`);
