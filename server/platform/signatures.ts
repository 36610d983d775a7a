import { createHmac, timingSafeEqual } from 'node:crypto';

// Every platform signature, checked in one place: on the raw body, with a length-safe
// constant-time compare (timingSafeEqual throws on unequal lengths, which unguarded would turn a
// malformed signature into a 500), and with replay windows where the platform sends a timestamp.

export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

// HubSpot decodes exactly these escapes before signing (request-validation docs, v3).
const HUBSPOT_DECODE: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function hubspotDecodeUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODE[m.toUpperCase()]!);
}

export type SignatureResult = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/**
 * HubSpot v3: base64(HMAC-SHA256(clientSecret, method + decodedUri + rawBody + timestamp)), with
 * the timestamp (ms) within five minutes either way.
 */
export function verifyHubspotV3(input: {
  clientSecret: string;
  method: string;
  url: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
  now?: number;
}): SignatureResult {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'stale' };
  if (Math.abs((input.now ?? Date.now()) - Number(timestamp)) > REPLAY_WINDOW_MS) return { ok: false, reason: 'stale' };
  const expected = hubspotV3Signature(input.clientSecret, input.method, input.url, input.rawBody, timestamp);
  // Compare the text HubSpot sent, not its base64 decoding: Node's decoder skips characters it does
  // not know, so decoding would accept garbage, whitespace or a missing padding around a valid MAC.
  return safeEqual(Buffer.from(signature), Buffer.from(expected)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

export function hubspotV3Signature(clientSecret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', clientSecret)
    .update(method.toUpperCase() + hubspotDecodeUri(url) + rawBody + timestamp)
    .digest('base64');
}

/** Intercom Canvas Kit: `X-Body-Signature` = hex(HMAC-SHA256(rawBody, clientSecret)). No timestamp is sent. */
export function verifyIntercomCanvas(clientSecret: string, rawBody: string, header: string | undefined): SignatureResult {
  if (!header) return { ok: false, reason: 'missing' };
  const expected = createHmac('sha256', clientSecret).update(rawBody).digest();
  return safeEqual(hexBuffer(header.trim()), expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Intercom webhooks: `X-Hub-Signature: sha1=<hex HMAC-SHA1(rawBody, clientSecret)>`. */
export function verifyIntercomWebhook(clientSecret: string, rawBody: string, header: string | undefined): SignatureResult {
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^sha1=([0-9a-f]{40})$/i.exec(header.trim());
  if (!m) return { ok: false, reason: 'mismatch' };
  const expected = createHmac('sha1', clientSecret).update(rawBody).digest();
  return safeEqual(hexBuffer(m[1]!), expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Our own outbound webhooks: `Refcard-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`. */
export function refcardSignature(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** What a receiver of our webhooks does; exported for customers' reference and our tests. */
export function verifyRefcardSignature(secret: string, body: string, header: string | undefined, nowMs = Date.now()): SignatureResult {
  if (!header) return { ok: false, reason: 'missing' };
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return { ok: false, reason: 'missing' };
  if (Math.abs(nowMs - t * 1000) > REPLAY_WINDOW_MS) return { ok: false, reason: 'stale' };
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return safeEqual(hexBuffer(parts.v1), expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

function hexBuffer(s: string): Buffer {
  return /^[0-9a-f]*$/i.test(s) && s.length % 2 === 0 ? Buffer.from(s, 'hex') : Buffer.alloc(0);
}
