import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { Signature } from '@hubspot/api-client';
import {
  hubspotDecodeUri,
  hubspotV3Signature,
  refcardSignature,
  REPLAY_WINDOW_MS,
  safeEqual,
  verifyHubspotV3,
  verifyIntercomCanvas,
  verifyIntercomWebhook,
  verifyRefcardSignature,
} from '../../server/platform/signatures.ts';

// HubSpot's documented v3 example (developers.hubspot.com, "Validating requests", v3).
const VECTOR = {
  clientSecret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
  method: 'POST',
  url: 'https://www.example.com/webhook_uri',
  rawBody: '{"example_field":"example_value"}',
  timestamp: '1700000000000',
  signature: 'rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=',
};
const NOW = 1_700_000_000_000;
const hubspot = (over: Partial<Parameters<typeof verifyHubspotV3>[0]> = {}) => verifyHubspotV3({ ...VECTOR, now: NOW + 1_234, ...over });

afterEach(() => {
  vi.useRealTimers();
});

describe('HubSpot signature v3', () => {
  it('computes the documented test vector', () => {
    expect(hubspotV3Signature(VECTOR.clientSecret, VECTOR.method, VECTOR.url, VECTOR.rawBody, VECTOR.timestamp)).toBe(VECTOR.signature);
  });

  it('accepts the documented request', () => {
    expect(hubspot()).toEqual({ ok: true });
  });

  it('agrees with the official @hubspot/api-client on the documented request', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW + 1_234);
    const sdk = { signatureVersion: 'v3', clientSecret: VECTOR.clientSecret, method: VECTOR.method, url: VECTOR.url, requestBody: VECTOR.rawBody, timestamp: Number(VECTOR.timestamp) };
    expect(Signature.isValid({ ...sdk, signature: VECTOR.signature })).toBe(true);
    expect(Signature.isValid({ ...sdk, signature: VECTOR.signature.replace('r', 's') })).toBe(false);
  });

  it('treats a lower-case method like its upper-case form, as HubSpot signs it', () => {
    expect(hubspot({ method: 'post' })).toEqual({ ok: true });
  });

  it.each([
    ['another body', { rawBody: '{"example_field":"example_value2"}' }],
    ['a body with different white space', { rawBody: '{ "example_field": "example_value" }' }],
    ['another method', { method: 'PUT' }],
    ['another URL', { url: 'https://www.example.com/webhook_uri2' }],
    ['another host', { url: 'https://evil.example.com/webhook_uri' }],
    ['another secret', { clientSecret: 'zzzzzzzz-yyyy-yyyy-yyyy-yyyyyyyyyyyy' }],
    ['another timestamp inside the window', { timestamp: '1700000000001' }],
  ])('refuses the documented signature over %s', (_, over) => {
    expect(hubspot(over)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('reports a missing signature or timestamp as missing', () => {
    expect(hubspot({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(hubspot({ signature: '' })).toEqual({ ok: false, reason: 'missing' });
    expect(hubspot({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(hubspot({ timestamp: '' })).toEqual({ ok: false, reason: 'missing' });
  });

  describe('the five-minute window', () => {
    it('accepts a timestamp up to exactly five minutes old or ahead', () => {
      expect(REPLAY_WINDOW_MS).toBe(300_000);
      expect(hubspot({ now: NOW + 300_000 })).toEqual({ ok: true });
      expect(hubspot({ now: NOW - 300_000 })).toEqual({ ok: true });
    });

    it('refuses a request older than five minutes (a replay)', () => {
      expect(hubspot({ now: NOW + 300_001 })).toEqual({ ok: false, reason: 'stale' });
      expect(hubspot({ now: NOW + 24 * 3600_000 })).toEqual({ ok: false, reason: 'stale' });
    });

    it('refuses a timestamp more than five minutes in the future', () => {
      expect(hubspot({ now: NOW - 300_001 })).toEqual({ ok: false, reason: 'stale' });
    });

    it('checks the window before the signature, so an old request is refused however it is signed', () => {
      expect(hubspot({ now: NOW + 300_001, signature: 'garbage' })).toEqual({ ok: false, reason: 'stale' });
    });

    it('uses the clock when no "now" is given', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(NOW + 60_000);
      expect(verifyHubspotV3({ ...VECTOR })).toEqual({ ok: true });
      vi.setSystemTime(NOW + 301_000);
      expect(verifyHubspotV3({ ...VECTOR })).toEqual({ ok: false, reason: 'stale' });
    });

    it.each(['abc', '1.7e12', '1700000000000.0', '-1700000000000', ' 1700000000000', '0x18BCFE56800', '12345678901234567', '1700000000000 '])(
      'refuses the malformed timestamp %j as stale',
      (timestamp) => {
        expect(hubspot({ timestamp })).toEqual({ ok: false, reason: 'stale' });
      },
    );
  });

  describe('malformed signatures', () => {
    it.each([
      ['garbage', 'garbage'],
      ['a single character', 'r'],
      ['the signature cut short', VECTOR.signature.slice(0, 20)],
      ['the signature with a byte too many', `${VECTOR.signature.slice(0, -1)}AA=`],
      ['the signature without its padding', VECTOR.signature.replace(/=$/, '')],
      ['the signature in base64url', VECTOR.signature.replace(/\+/g, '-').replace(/\//g, '_')],
      ['the signature with characters inserted', `${VECTOR.signature.slice(0, 20)}!!${VECTOR.signature.slice(20)}`],
      ['the signature with a line break inside', `${VECTOR.signature.slice(0, 20)}\n${VECTOR.signature.slice(20)}`],
      ['the signature with trailing data', `${VECTOR.signature}AAAA`],
      ['the signature in hex', Buffer.from(VECTOR.signature, 'base64').toString('hex')],
      ['the v1 signature scheme', createHmac('sha256', VECTOR.clientSecret).update(VECTOR.rawBody).digest('hex')],
      ['non-ASCII text', 'ÿ'.repeat(44)],
      ['NUL bytes', '\u0000'.repeat(44)],
    ])('refuses %s without throwing', (_, signature) => {
      expect(hubspot({ signature })).toEqual({ ok: false, reason: 'mismatch' });
    });
  });

  describe('URI decoding before signing', () => {
    // The table in HubSpot's request-validation docs: exactly these escapes are decoded.
    it.each([
      ['%3A', ':'],
      ['%2F', '/'],
      ['%3F', '?'],
      ['%40', '@'],
      ['%21', '!'],
      ['%24', '$'],
      ['%27', "'"],
      ['%28', '('],
      ['%29', ')'],
      ['%2A', '*'],
      ['%2C', ','],
      ['%3B', ';'],
    ])('decodes %s to %s', (escape, ch) => {
      expect(hubspotDecodeUri(`https://app.example/hook?q=a${escape}b`)).toBe(`https://app.example/hook?q=a${ch}b`);
      expect(hubspotDecodeUri(`https://app.example/hook?q=a${escape.toLowerCase()}b`)).toBe(`https://app.example/hook?q=a${ch}b`);
    });

    it.each(['%20', '%26', '%3D', '%2B', '%23', '%25', '%5B', '%7E', '%C3%A9'])('leaves %s encoded', (escape) => {
      expect(hubspotDecodeUri(`https://app.example/hook?q=a${escape}b`)).toBe(`https://app.example/hook?q=a${escape}b`);
    });

    it('decodes once: a double-encoded escape stays encoded', () => {
      expect(hubspotDecodeUri('https://app.example/hook?email=ann%2540example.com')).toBe('https://app.example/hook?email=ann%2540example.com');
    });

    it('decodes every occurrence', () => {
      expect(hubspotDecodeUri('https://app.example/a%2Fb%2Fc?x=%3A%3A')).toBe('https://app.example/a/b/c?x=::');
    });

    it('verifies a request whose URL carries encoded characters against the signature over the decoded URL', () => {
      const encoded = 'https://refcard.example/hubspot/card?contactId=1&email=ann%40example.com&portalId=62515&userEmail=rep%40acme.example&name=O%27Brien%20%28Acme%29';
      const decoded = 'https://refcard.example/hubspot/card?contactId=1&email=ann@example.com&portalId=62515&userEmail=rep@acme.example&name=O\'Brien%20(Acme)';
      const signature = createHmac('sha256', VECTOR.clientSecret).update(`GET${decoded}${VECTOR.timestamp}`).digest('base64');
      expect(verifyHubspotV3({ ...VECTOR, method: 'GET', url: encoded, rawBody: '', signature, now: NOW })).toEqual({ ok: true });
      expect(verifyHubspotV3({ ...VECTOR, method: 'GET', url: decoded, rawBody: '', signature, now: NOW })).toEqual({ ok: true });
    });
  });

  it('agrees with @hubspot/api-client on random requests and signatures within the window', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // URLs without %-escapes: the SDK signs the URL as given, Refcard after HubSpot's decoding.
    const url = fc.webUrl({ withQueryParameters: true }).filter((u) => !u.includes('%'));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        url,
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.boolean(),
        fc.string({ maxLength: 60 }),
        (secret, method, u, body, ts, age, genuine, forged) => {
          vi.setSystemTime(ts + age);
          const signature = genuine ? hubspotV3Signature(secret, method, u, body, String(ts)) : forged;
          const oracle = Signature.isValid({ signatureVersion: 'v3', clientSecret: secret, method, url: u, requestBody: body, timestamp: ts, signature });
          const ours = verifyHubspotV3({ clientSecret: secret, method, url: u, rawBody: body, signature, timestamp: String(ts), now: ts + age });
          expect(ours.ok).toBe(signature === '' ? false : oracle);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever arrives as signature and timestamp', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 120 })), fc.option(fc.string({ unit: 'binary', maxLength: 30 })), fc.string({ maxLength: 80 }), (signature, timestamp, url) => {
        const r = verifyHubspotV3({ clientSecret: 's', method: 'POST', url, rawBody: '{}', signature: signature ?? undefined, timestamp: timestamp ?? undefined, now: NOW });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Intercom Canvas Kit signature (X-Body-Signature)', () => {
  const secret = 'intercom-client-secret';
  const body = '{"workspace_id":"abc123","contact":{"id":"6"},"current_canvas":null}';
  const hex = createHmac('sha256', secret).update(body).digest('hex');

  it('accepts the hex HMAC-SHA256 of the raw body', () => {
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyIntercomCanvas(secret, body, hex)).toEqual({ ok: true });
  });

  it('accepts upper-case hex, which names the same bytes', () => {
    expect(verifyIntercomCanvas(secret, body, hex.toUpperCase())).toEqual({ ok: true });
  });

  it('ignores white space around the header value', () => {
    expect(verifyIntercomCanvas(secret, body, ` ${hex}\t`)).toEqual({ ok: true });
  });

  it('reports a missing header as missing', () => {
    expect(verifyIntercomCanvas(secret, body, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyIntercomCanvas(secret, body, '')).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['a prefix', `sha256=${hex}`],
    ['a webhook-style sha1= prefix', `sha1=${hex}`],
    ['one hex digit short', hex.slice(0, -1)],
    ['one byte short', hex.slice(0, -2)],
    ['one byte too many', `${hex}00`],
    ['a non-hex character', `${hex.slice(0, -1)}g`],
    ['base64 of the right MAC', createHmac('sha256', secret).update(body).digest('base64')],
    ['a MAC of another body', createHmac('sha256', secret).update(`${body} `).digest('hex')],
    ['a MAC under another secret', createHmac('sha256', `${secret}x`).update(body).digest('hex')],
    ['a SHA-1 MAC', createHmac('sha1', secret).update(body).digest('hex')],
    ['an empty-looking value', '   '],
  ])('refuses %s without throwing', (_, header) => {
    expect(verifyIntercomCanvas(secret, body, header).ok).toBe(false);
  });

  it('binds the exact bytes: re-serialised JSON does not verify', () => {
    expect(verifyIntercomCanvas(secret, JSON.stringify(JSON.parse(body), null, 2), hex)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('Intercom webhook signature (X-Hub-Signature)', () => {
  const secret = 'intercom-client-secret';
  const body = '{"type":"notification_event","topic":"contact.tag.created","data":{}}';
  const hex = createHmac('sha1', secret).update(body).digest('hex');

  it('accepts sha1=<hex HMAC-SHA1 of the raw body>', () => {
    expect(verifyIntercomWebhook(secret, body, `sha1=${hex}`)).toEqual({ ok: true });
  });

  it('accepts upper-case hex and an upper-case prefix', () => {
    expect(verifyIntercomWebhook(secret, body, `sha1=${hex.toUpperCase()}`)).toEqual({ ok: true });
    expect(verifyIntercomWebhook(secret, body, `SHA1=${hex}`)).toEqual({ ok: true });
  });

  it('reports a missing header as missing', () => {
    expect(verifyIntercomWebhook(secret, body, undefined)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['no prefix', hex],
    ['a sha256= prefix', `sha256=${hex}`],
    ['a prefix without "="', `sha1${hex}`],
    ['a space after the prefix', `sha1= ${hex}`],
    ['one hex digit short', `sha1=${hex.slice(0, -1)}`],
    ['one hex digit too many', `sha1=${hex}0`],
    ['a SHA-256 MAC', `sha1=${createHmac('sha256', secret).update(body).digest('hex')}`],
    ['a MAC of another body', `sha1=${createHmac('sha1', secret).update(`${body}\n`).digest('hex')}`],
    ['a MAC under another secret', `sha1=${createHmac('sha1', 'other').update(body).digest('hex')}`],
    ['two signatures', `sha1=${hex},sha1=${hex}`],
  ])('refuses %s', (_, header) => {
    expect(verifyIntercomWebhook(secret, body, header)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('Refcard outbound signature (Refcard-Signature)', () => {
  const secret = 'whsec_test_secret';
  const body = '{"id":"evt_1","type":"lead.qualified","data":{}}';
  const t0 = 1_700_000_000;

  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const header = refcardSignature(secret, body, t0);
    expect(header).toBe(`t=${t0},v1=${createHmac('sha256', secret).update(`${t0}.${body}`).digest('hex')}`);
  });

  it('round-trips: what Refcard signs, a receiver verifies', () => {
    expect(verifyRefcardSignature(secret, body, refcardSignature(secret, body, t0), t0 * 1000)).toEqual({ ok: true });
  });

  it('verifies whatever the order of the parts', () => {
    const [t, v1] = refcardSignature(secret, body, t0).split(',');
    expect(verifyRefcardSignature(secret, body, `${v1},${t}`, t0 * 1000)).toEqual({ ok: true });
  });

  it('accepts deliveries within five minutes either way and refuses older or later ones (replays)', () => {
    const header = refcardSignature(secret, body, t0);
    expect(verifyRefcardSignature(secret, body, header, (t0 + 300) * 1000)).toEqual({ ok: true });
    expect(verifyRefcardSignature(secret, body, header, (t0 - 300) * 1000)).toEqual({ ok: true });
    expect(verifyRefcardSignature(secret, body, header, (t0 + 301) * 1000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyRefcardSignature(secret, body, header, (t0 - 301) * 1000)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a replay that moves the timestamp forward, because the timestamp is signed', () => {
    const v1 = refcardSignature(secret, body, t0).split(',')[1];
    expect(verifyRefcardSignature(secret, body, `t=${t0 + 3600},${v1}`, (t0 + 3600) * 1000)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a changed body or another secret', () => {
    const header = refcardSignature(secret, body, t0);
    expect(verifyRefcardSignature(secret, `${body} `, header, t0 * 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyRefcardSignature('whsec_other', body, header, t0 * 1000)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['no v1', `t=${t0}`],
    ['no t', 'v1=abcd'],
    ['an empty v1', `t=${t0},v1=`],
    ['a fractional t', `t=${t0}.5,v1=abcd`],
    ['a non-numeric t', 't=yesterday,v1=abcd'],
  ])('reports %s as missing', (_, header) => {
    expect(verifyRefcardSignature(secret, body, header, t0 * 1000)).toEqual({ ok: false, reason: 'missing' });
  });

  it('uses the clock when no "now" is given', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifyRefcardSignature(secret, body, refcardSignature(secret, body, now))).toEqual({ ok: true });
    expect(verifyRefcardSignature(secret, body, refcardSignature(secret, body, now - 600))).toEqual({ ok: false, reason: 'stale' });
  });

  it('round-trips any secret and body (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 4_000_000_000 }), (s, b, t) => {
        expect(verifyRefcardSignature(s, b, refcardSignature(s, b, t), t * 1000)).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  });
});

describe('every verifier, given random headers', () => {
  const header = fc.option(fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF=,tv1sha'), maxLength: 90 })), { nil: undefined });

  it('never throws and never accepts', () => {
    fc.assert(
      fc.property(header, fc.string({ maxLength: 50 }), (h, body) => {
        expect(verifyIntercomCanvas('secret', body, h).ok).toBe(false);
        expect(verifyIntercomWebhook('secret', body, h).ok).toBe(false);
        expect(verifyRefcardSignature('secret', body, h, 1_700_000_000_000).ok).toBe(false);
        expect(verifyHubspotV3({ clientSecret: 'secret', method: 'POST', url: 'https://x.example/', rawBody: body, signature: h, timestamp: h, now: NOW }).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('safeEqual', () => {
  it('compares equal-length buffers and refuses empty or unequal-length ones without throwing', () => {
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(safeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(false);
  });
});
