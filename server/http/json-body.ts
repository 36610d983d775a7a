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
  const bad = unstorableTextAt(value);
  if (bad !== null) {
    const field = storableText(bad);
    throw new ProgramError(400, 'validation_failed', `${field}: ${UNSTORABLE_TEXT_REASON}`, field);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const p = zodProblem(parsed.error);
    throw new ProgramError(400, p.code, p.detail, p.field, { errors: p.errors });
  }
  return parsed.data;
}

// PostgreSQL stores neither U+0000 (text and jsonb both refuse it, failing the query) nor an unpaired
// UTF-16 surrogate (jsonb refuses the escape; a text column silently turns it into U+FFFD). JSON
// (`"\u0000"`, `"\ud800"`) and forms (`%00`) deliver both easily, so they are refused at the edge,
// naming the field, rather than ending as a 500 or as quietly altered data.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_TEXT_REASON = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** `s` with what cannot be stored replaced by U+FFFD, for echoing a field name back safely. */
export const storableText = (s: string) => s.replace(new RegExp(UNSTORABLE, 'g'), '\ufffd');

/** A parsed JSON value PostgreSQL can store: NUL and unpaired surrogates in its strings and keys become U+FFFD. */
export function storableJson(value: unknown): unknown {
  if (unstorableTextAt(value) === null) return value;
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return storableText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), clean(x)]));
    return v;
  };
  return clean(value);
}

/** The dotted path of the first string or key in a parsed JSON value that cannot be stored, or null. */
export function unstorableTextAt(value: unknown): string | null {
  // Iterative: a 256 KB body can nest far deeper than the call stack allows.
  const stack: [unknown, string][] = [[value, '']];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return path || 'body';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], join(path, String(i))]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [k] of entries) if (!isStorableText(k)) return join(path, storableText(k));
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], join(path, entries[i]![0])]);
    }
  }
  return null;
}
