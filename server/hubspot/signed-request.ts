import type { Context } from 'hono';
import type { AppContext } from '../context.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { verifyHubspotV3 } from '../platform/signatures.ts';
import { hubspotConfig } from './app-meta.ts';

// Requests from HubSpot (hubspot.fetch from the card, webhook deliveries) carry no credentials of
// their own: the v3 signature over method, URL, body and timestamp is the authentication. HubSpot
// signs the URL it called, which behind a proxy or load balancer is not the URL this process sees,
// so the URL is rebuilt from PUBLIC_URL with the path and query exactly as they arrived.

export const MAX_BODY_BYTES = 1024 * 1024;

/** PUBLIC_URL + the raw path and query of this request (no re-encoding: HubSpot signed these bytes). */
export function signedUrl(ctx: Pick<AppContext, 'config'>, c: Context): string {
  const raw = c.req.url;
  const start = raw.indexOf('/', raw.indexOf('//') + 2);
  return ctx.config.publicUrl + (start === -1 ? '/' : raw.slice(start));
}

/**
 * The raw body if the request is signed by HubSpot with our client secret and is at most five
 * minutes old (either way); otherwise a 401 problem to send back. Nothing is parsed before this.
 */
export async function verifiedBody(ctx: AppContext, c: Context): Promise<{ ok: true; body: string } | { ok: false; response: Response }> {
  const length = Number(c.req.header('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) return { ok: false, response: problemResponse(c, problem(413, 'body_too_large', 'The request body is larger than 1 MB.', { field: 'body' })) };
  const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { ok: false, response: problemResponse(c, problem(413, 'body_too_large', 'The request body is larger than 1 MB.', { field: 'body' })) };
  const result = verifyHubspotV3({
    clientSecret: hubspotConfig(ctx).clientSecret,
    method: c.req.method,
    url: signedUrl(ctx, c),
    rawBody: body,
    signature: c.req.header('x-hubspot-signature-v3'),
    timestamp: c.req.header('x-hubspot-request-timestamp'),
  });
  if (result.ok) return { ok: true, body };
  const detail = {
    missing: 'This request is not signed by HubSpot (X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required).',
    stale: 'The request’s timestamp is more than five minutes away from ours; it may be a replay.',
    mismatch: 'The HubSpot signature does not match this request.',
  }[result.reason];
  return { ok: false, response: problemResponse(c, problem(401, `signature_${result.reason}`, detail)) };
}
