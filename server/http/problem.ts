import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ProgramError } from '../program/errors.ts';
import type { Logger } from '../log.ts';

// Every refusal is RFC 9457 problem+json naming the field and the reason; nothing else leaves
// this server as an error.

export interface FieldError {
  field: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function problem(status: number, code: string, detail: string, extra: { field?: string; errors?: FieldError[] } & Record<string, unknown> = {}): Problem {
  return { type: `urn:refcard:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

export function problemResponse(c: Context, p: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, { 'content-type': 'application/problem+json', ...headers });
}

export function zodProblem(error: z.ZodError, where: 'body' | 'query' | 'path' | 'header' = 'body'): Problem {
  const errors = error.issues.slice(0, 20).map((i) => ({ field: fieldName(i, where), reason: reasonOf(i) }));
  const first = errors[0]!;
  return problem(400, 'validation_failed', `${first.field}: ${first.reason}`, { field: first.field, errors });
}

function fieldName(issue: z.core.$ZodIssue, where: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(...issue.keys.slice(0, 1));
  return path.length ? path.join('.') : where;
}

function reasonOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.code === 'unrecognized_keys') return `is not a known field${issue.keys.length > 1 ? ` (nor ${issue.keys.slice(1).join(', ')})` : ''}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** The app-wide error handler: known refusals become problems, anything else a logged, bare 500. */
export function handleError(log: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ProgramError) {
      return problemResponse(c, problem(err.status, err.code, err.message, { ...(err.field && { field: err.field }), ...err.extra }));
    }
    if (err instanceof z.ZodError) return problemResponse(c, zodProblem(err));
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status === 413) return problemResponse(c, problem(413, 'body_too_large', 'The request body is larger than this route accepts.', { field: 'body' }));
      const detail = /json/i.test(err.message) ? 'The request body is not valid JSON.' : err.message || (TITLES[status] ?? 'Error');
      return problemResponse(c, problem(status, status === 400 ? 'malformed_request' : 'http_error', detail, status === 400 ? { field: 'body' } : {}));
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return problemResponse(c, problem(500, 'internal_error', 'Something went wrong on our side; it has been logged.'));
  };
}
