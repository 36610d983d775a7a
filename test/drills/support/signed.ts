import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { signV3 } from '../../emulators/hubspot/index.ts';
import { validateCanvasResponse } from '../../../intercom-canvas/index.ts';

// Requests as HubSpot and Intercom sign them, for bodies no platform would ever send: the drills
// sign whatever they send, so the server's parser — not its signature check — is what gets tested.

export type Body = string | Uint8Array;

/** What the server will read as the body text (invalid UTF-8 becomes U+FFFD): the bytes a signer would have to sign to get past the check. */
export const bodyText = (b: Body) => (typeof b === 'string' ? b : new TextDecoder().decode(b));

export function hubspotHeaders(secret: string, method: string, url: string, body: Body | undefined, o: { timestamp?: number } = {}): Record<string, string> {
  const ts = o.timestamp ?? Date.now();
  return {
    'x-hubspot-signature-v3': signV3(secret, method, url, body === undefined ? '' : bodyText(body), ts),
    'x-hubspot-request-timestamp': String(ts),
  };
}

export const canvasSignature = (secret: string, body: Body) => createHmac('sha256', secret).update(bodyText(body)).digest('hex');
export const intercomWebhookSignature = (secret: string, body: Body) => `sha1=${createHmac('sha1', secret).update(bodyText(body)).digest('hex')}`;

/** Rejects after `ms`: a request that never answers is a failure of its own. */
export async function withinTime<T>(what: string, p: Promise<T>, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Answer {
  status: number;
  type: string;
  text: string;
  json: any;
}

export async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

/** No 5xx; a refusal is a 4xx problem+json with a code and a sentence. */
export function expectCleanJson(a: Answer, what: string) {
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (a.status >= 400) {
    expect(a.type, `${what}: refusal type`).toMatch(/^application\/problem\+json/);
    expect(a.json, `${what}: problem body`).toMatchObject({ status: a.status, code: expect.any(String), detail: expect.any(String) });
    expect(a.json.detail.length, what).toBeGreaterThan(5);
  }
}

/** A canvas route: a valid canvas with 200, or (for a body that is not a JSON object) a 4xx problem. */
export function expectCanvasOrProblem(a: Answer, kind: 'initialize' | 'submit', what: string) {
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (a.status === 200) {
    const v = validateCanvasResponse(kind, a.json);
    expect(v.errors, `${what}: canvas`).toEqual([]);
  } else expectCleanJson(a, what);
}

/** An HTML route (OAuth callbacks, landing page, console): no 5xx, and a page that says something. */
export function expectCleanHtml(a: Answer, what: string) {
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (a.status >= 400 && a.status !== 404) expect(a.text.length, what).toBeGreaterThan(20);
}
