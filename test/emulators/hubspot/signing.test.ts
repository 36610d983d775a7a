import { Signature } from '@hubspot/api-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUriForSignature, signV1, signV2, signV3, verifyV3 } from './signing.ts';

// The signatures the emulator puts on webhooks and hubspot.fetch calls, checked against the
// documented test vector (hubspot-platform.md §4) and against the SDK's Signature as an oracle.

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const VECTOR_URI = 'https://www.example.com/webhook_uri';
const VECTOR_BODY = '{"example_field":"example_value"}';

describe('documented test vectors', () => {
  it('produces the v3 signature of the §4 vector', () => {
    expect(signV3(SECRET, 'POST', VECTOR_URI, VECTOR_BODY, 1700000000000)).toBe('rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=');
  });

  it('produces the legacy v2 values for GET without a body and POST with one', () => {
    expect(signV2(SECRET, 'GET', VECTOR_URI, '')).toBe('eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e');
    expect(signV2(SECRET, 'POST', VECTOR_URI, VECTOR_BODY)).toBe('9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900');
  });

  it('verifies the vector within five minutes of its timestamp and not after', () => {
    const sig = 'rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=';
    expect(verifyV3(SECRET, 'POST', VECTOR_URI, VECTOR_BODY, sig, '1700000000000', 1700000000000 + 299_000)).toBe(true);
    expect(verifyV3(SECRET, 'POST', VECTOR_URI, VECTOR_BODY, sig, '1700000000000', 1700000000000 + 301_000)).toBe(false);
    expect(verifyV3(SECRET, 'POST', VECTOR_URI, VECTOR_BODY, sig, '1700000000000', 1700000000000 - 301_000)).toBe(false);
    expect(verifyV3(SECRET, 'POST', VECTOR_URI, `${VECTOR_BODY} `, sig, '1700000000000', 1700000000000)).toBe(false);
    expect(verifyV3('other', 'POST', VECTOR_URI, VECTOR_BODY, sig, '1700000000000', 1700000000000)).toBe(false);
    expect(verifyV3(SECRET, 'POST', VECTOR_URI, VECTOR_BODY, 'short', '1700000000000', 1700000000000)).toBe(false);
  });
});

describe('agreement with the SDK\'s Signature', () => {
  const path = fc.stringMatching(/^\/[a-z0-9/_-]{0,30}(\?[a-z]{1,8}=[a-z0-9]{1,8})?$/);
  const body = fc.oneof(fc.constant(''), fc.json());
  const secret = fc.uuid();

  it('agrees on v3 for any body and URL', () => {
    fc.assert(fc.property(secret, path, body, fc.constantFrom('GET', 'POST', 'PATCH'), (s, p, b, method) => {
      const url = `https://app.refcard.test${p}`;
      const timestamp = Date.now();
      const signature = signV3(s, method, url, b, timestamp);
      expect(Signature.isValid({ signature, clientSecret: s, requestBody: b, signatureVersion: 'v3', url, method, timestamp })).toBe(true);
      expect(verifyV3(s, method, url, b, signature, String(timestamp))).toBe(true);
    }));
  });

  it('agrees on v1 and v2', () => {
    fc.assert(fc.property(secret, path, body, (s, p, b) => {
      const url = `https://app.refcard.test${p}`;
      expect(Signature.isValid({ signature: signV1(s, b), clientSecret: s, requestBody: b })).toBe(true);
      expect(Signature.isValid({ signature: signV2(s, 'POST', url, b), clientSecret: s, requestBody: b, signatureVersion: 'v2', url, method: 'POST' })).toBe(true);
    }));
  });

  it('signs the decoded form of an encoded URI, so receivers that decode the documented escapes agree', () => {
    const encoded = 'https://app.refcard.test/hubspot/card?userEmail=ann%40acme.test&x=%28a%29%2C%3B';
    const timestamp = Date.now();
    const signature = signV3(SECRET, 'GET', encoded, '', timestamp);
    expect(decodeUriForSignature(encoded)).toBe('https://app.refcard.test/hubspot/card?userEmail=ann@acme.test&x=(a),;');
    expect(Signature.isValid({ signature, clientSecret: SECRET, requestBody: '', signatureVersion: 'v3', url: decodeUriForSignature(encoded), method: 'GET', timestamp })).toBe(true);
    expect(verifyV3(SECRET, 'GET', encoded, '', signature, String(timestamp))).toBe(true);
  });
});
