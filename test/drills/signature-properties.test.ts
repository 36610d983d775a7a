import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hubspotV3Signature, refcardSignature, REPLAY_WINDOW_MS, verifyHubspotV3, verifyIntercomCanvas, verifyIntercomWebhook, verifyRefcardSignature } from '../../server/platform/signatures.ts';

// Properties of the signature checkers that the example-based tests (test/platform/signatures.test.ts,
// which already fuzz them with random headers) do not state: a signature made for a request is
// accepted for exactly that request — any one change to the secret, the body, the URL, the method,
// the timestamp or the signature itself is refused — and an old one is refused however valid.

const secret = fc.string({ minLength: 1, maxLength: 40 });
const body = fc.string({ unit: 'binary', maxLength: 300 });
const NOW = 1_800_000_000_000;
/** the same text with one character changed (never the same string) */
const tweak = (s: string, at: number) => {
  if (s.length === 0) return 'x';
  const i = at % s.length;
  const c = s.charCodeAt(i);
  return s.slice(0, i) + String.fromCharCode(c === 0x41 ? 0x42 : 0x41) + s.slice(i + 1);
};
/** the same hex digits with one digit changed (hex is compared case-insensitively, so a change of case is no change) */
const tweakHex = (hex: string, at: number) => {
  const i = at % hex.length;
  return hex.slice(0, i) + ((parseInt(hex[i]!, 16) + 1) % 16).toString(16) + hex.slice(i + 1);
};

describe('a signature fits one request only (property)', () => {
  it('HubSpot v3: accepted as made; refused after any change to secret, method, URL, body, timestamp or signature', () => {
    const url = fc.webUrl({ withQueryParameters: true }).filter((u) => !u.includes('%'));
    fc.assert(
      fc.property(secret, fc.constantFrom('GET', 'POST'), url, body, fc.integer({ min: -REPLAY_WINDOW_MS, max: REPLAY_WINDOW_MS }), fc.nat(), (s, method, u, b, skew, at) => {
        const ts = String(NOW + skew);
        const signature = hubspotV3Signature(s, method, u, b, ts);
        const base = { clientSecret: s, method, url: u, rawBody: b, signature, timestamp: ts, now: NOW };
        expect(verifyHubspotV3(base)).toEqual({ ok: true });
        expect(verifyHubspotV3({ ...base, clientSecret: tweak(s, at) }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, method: method === 'GET' ? 'POST' : 'GET' }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, url: `${u}x` }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, rawBody: tweak(b, at) }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, timestamp: String(NOW + skew + 1) }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, signature: tweak(signature, at) }).ok).toBe(false);
        expect(verifyHubspotV3({ ...base, now: NOW + skew + REPLAY_WINDOW_MS + 1 })).toEqual({ ok: false, reason: 'stale' });
      }),
      { numRuns: 400 },
    );
  });

  it('Intercom Canvas Kit: accepted as made (any hex case); refused after any change to secret, body or signature', () => {
    fc.assert(
      fc.property(secret, body, fc.nat(), fc.boolean(), (s, b, at, upper) => {
        const hex = createHmac('sha256', s).update(b).digest('hex');
        expect(verifyIntercomCanvas(s, b, upper ? hex.toUpperCase() : hex)).toEqual({ ok: true });
        expect(verifyIntercomCanvas(tweak(s, at), b, hex).ok).toBe(false);
        expect(verifyIntercomCanvas(s, tweak(b, at), hex).ok).toBe(false);
        expect(verifyIntercomCanvas(s, b, tweakHex(hex, at)).ok).toBe(false);
        expect(verifyIntercomCanvas(s, b, hex.slice(0, -2)).ok).toBe(false);
        expect(verifyIntercomCanvas(s, b, Buffer.from(hex, 'hex').toString('base64')).ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('Intercom webhooks: accepted as made; refused after any change to secret, body, prefix or signature', () => {
    fc.assert(
      fc.property(secret, body, fc.nat(), (s, b, at) => {
        const hex = createHmac('sha1', s).update(b).digest('hex');
        expect(verifyIntercomWebhook(s, b, `sha1=${hex}`)).toEqual({ ok: true });
        expect(verifyIntercomWebhook(tweak(s, at), b, `sha1=${hex}`).ok).toBe(false);
        expect(verifyIntercomWebhook(s, tweak(b, at), `sha1=${hex}`).ok).toBe(false);
        expect(verifyIntercomWebhook(s, b, `sha1=${tweakHex(hex, at)}`).ok).toBe(false);
        expect(verifyIntercomWebhook(s, b, `sha256=${hex}`).ok).toBe(false);
        expect(verifyIntercomWebhook(s, b, hex).ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('Refcard’s own webhooks: refused after any change to secret, body or timestamp, and once older than five minutes', () => {
    fc.assert(
      fc.property(secret, body, fc.integer({ min: 1_000_000, max: 4_000_000_000 }), fc.nat(), (s, b, t, at) => {
        const header = refcardSignature(s, b, t);
        expect(verifyRefcardSignature(s, b, header, t * 1000)).toEqual({ ok: true });
        expect(verifyRefcardSignature(tweak(s, at), b, header, t * 1000).ok).toBe(false);
        expect(verifyRefcardSignature(s, tweak(b, at), header, t * 1000).ok).toBe(false);
        expect(verifyRefcardSignature(s, b, header.replace(`t=${t}`, `t=${t + 1}`), (t + 1) * 1000).ok).toBe(false);
        expect(verifyRefcardSignature(s, b, header, t * 1000 + REPLAY_WINDOW_MS + 1_000)).toEqual({ ok: false, reason: 'stale' });
      }),
      { numRuns: 400 },
    );
  });
});
