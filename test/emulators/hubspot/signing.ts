import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// HubSpot request signatures (hubspot-platform.md §4). The emulator signs what it sends with these;
// verifyV3 is here so tests and sandbox tooling can check a request the same way our server must.

const DECODE: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** HubSpot hashes the URI with exactly these escapes decoded, so receivers decode the same set. */
export function decodeUriForSignature(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODE[m.toUpperCase()]);
}

export function signV3(secret: string, method: string, uri: string, body: string, timestamp: string | number): string {
  const source = method.toUpperCase() + decodeUriForSignature(uri) + body + String(timestamp);
  return createHmac('sha256', secret).update(source).digest('base64');
}

/** Legacy v2 (still sent on requests that carry a URI): hex sha256(secret + method + uri + body). */
export function signV2(secret: string, method: string, uri: string, body: string): string {
  return createHash('sha256').update(secret + method.toUpperCase() + uri + body).digest('hex');
}

/** Legacy v1 (webhook deliveries): hex sha256(secret + body). */
export function signV1(secret: string, body: string): string {
  return createHash('sha256').update(secret + body).digest('hex');
}

export function verifyV3(
  secret: string,
  method: string,
  uri: string,
  rawBody: string,
  signature: string,
  timestamp: string,
  now = Date.now(),
): boolean {
  // Stale and future stamps are both replays as far as a receiver can tell.
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 300_000) return false;
  const want = Buffer.from(signV3(secret, method, uri, rawBody, timestamp), 'base64');
  const got = Buffer.from(signature, 'base64');
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface SignedHeaders {
  'X-HubSpot-Signature-v3': string;
  'X-HubSpot-Request-Timestamp': string;
  'X-HubSpot-Signature': string;
  'X-HubSpot-Signature-Version': string;
}

export function signedHeaders(opts: {
  secret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number;
  legacyVersion: 'v1' | 'v2';
}): SignedHeaders {
  const legacy =
    opts.legacyVersion === 'v1'
      ? signV1(opts.secret, opts.body)
      : signV2(opts.secret, opts.method, opts.uri, opts.body);
  return {
    'X-HubSpot-Signature-v3': signV3(opts.secret, opts.method, opts.uri, opts.body, opts.timestamp),
    'X-HubSpot-Request-Timestamp': String(opts.timestamp),
    'X-HubSpot-Signature': legacy,
    'X-HubSpot-Signature-Version': opts.legacyVersion,
  };
}
