// The two signatures Intercom puts on calls to an app. Both are keyed with the app's OAuth
// client secret and computed over the exact bytes sent, never a re-serialisation.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Canvas Kit `X-Body-Signature`: hex HMAC-SHA256 of the raw body. */
export const canvasSignature = (secret: string, rawBody: string): string =>
  createHmac('sha256', secret).update(rawBody).digest('hex');

/** Webhook `X-Hub-Signature`: `sha1=` + hex HMAC-SHA1 of the raw body. */
export const hubSignature = (secret: string, rawBody: string): string =>
  `sha1=${createHmac('sha1', secret).update(rawBody).digest('hex')}`;

const hexEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length > 0 && x.length === y.length && timingSafeEqual(x, y);
};

export const verifyCanvasSignature = (secret: string, rawBody: string, header?: string | null): boolean =>
  !!header && hexEqual(canvasSignature(secret, rawBody), header.trim().toLowerCase());

export const verifyHubSignature = (secret: string, rawBody: string, header?: string | null): boolean =>
  !!header && header.startsWith('sha1=') && hexEqual(hubSignature(secret, rawBody).slice(5), header.slice(5).trim().toLowerCase());
