import type { Context } from 'hono';
import { z } from 'zod';
import { ProgramError } from '../program/errors.ts';
import { zodProblem } from './problem.ts';

export const MAX_JSON_BODY = 256 * 1024;

/** Reads and validates a JSON body for routes outside the OpenAPI app (raw text first where signatures need it). */
export async function parseJson<T extends z.ZodType>(c: Context, schema: T, raw?: string): Promise<z.infer<T>> {
  const text = raw ?? (await c.req.text());
  if (text.length > MAX_JSON_BODY) throw new ProgramError(400, 'body_too_large', 'The request body is too large.', 'body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProgramError(400, 'malformed_json', 'The request body is not valid JSON.', 'body');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const p = zodProblem(parsed.error);
    throw new ProgramError(400, p.code, p.detail, p.field, { errors: p.errors });
  }
  return parsed.data;
}
