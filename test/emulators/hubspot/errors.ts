import { randomUUID } from 'node:crypto';

// HubSpot's error body: `{ status: "error", message, correlationId, category, ... }`. The emulator's
// logic throws HsError anywhere and server.ts turns it into that body, so handlers stay linear.

export class HsError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { status: 'error', message: this.message, correlationId: randomUUID(), category: this.category, ...this.extra };
  }
}

export const notFound = (message: string, extra?: Record<string, unknown>) =>
  new HsError(404, 'OBJECT_NOT_FOUND', message, extra);

export const validation = (message: string, extra?: Record<string, unknown>) =>
  new HsError(400, 'VALIDATION_ERROR', message, extra);

export const conflict = (message: string, category = 'OBJECT_ALREADY_EXISTS') => new HsError(409, category, message);

/** One invalid property value, in the shape HubSpot serialises into the message of a 400. */
export interface PropertyValueError {
  name: string;
  error: string;
  message: string;
}

export function invalidPropertyValues(errors: PropertyValueError[], portalId: number): HsError {
  // HubSpot puts a JSON array into `message` (clients grep it for PROPERTY_DOESNT_EXIST) and the
  // same facts into `errors[]`.
  const inner = errors.map((e) => ({
    isValid: false,
    message: e.message,
    error: e.error,
    name: e.name,
    localizedErrorMessage: e.message,
    portalId,
  }));
  return validation(`Property values were not valid: ${JSON.stringify(inner)}`, {
    errors: errors.map((e) => ({ message: e.message, code: e.error, context: { propertyName: [e.name] } })),
  });
}

/** The element of a batch response's `errors` — every field the SDK's StandardError requires. */
export function standardError(category: string, message: string, context: Record<string, string[]>) {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

export function rateLimitBody(kind: 'TEN_SECONDLY_ROLLING' | 'SECONDLY', appId: number): Record<string, unknown> {
  if (kind === 'SECONDLY') {
    return {
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      correlationId: randomUUID(),
      policyName: 'SECONDLY',
    };
  }
  return {
    status: 'error',
    message: 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: 'TEN_SECONDLY_ROLLING',
    groupName: `publicapi:app-id:${appId}`,
  };
}
