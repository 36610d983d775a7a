import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CODE_ALPHABET, CODE_LENGTH, generateCode, isWellFormedCode, referralLink } from '../../shared/codes.ts';

/** A byte source that replays `bytes` in order, then zeros. */
function scripted(bytes: number[]) {
  let i = 0;
  return (n: number) => Uint8Array.from({ length: n }, () => (i < bytes.length ? bytes[i++]! : 0));
}

describe('the referral code alphabet', () => {
  it('has 31 distinct URL-safe characters and none of the look-alikes 0, O, o, 1, l, I, i', () => {
    expect(CODE_ALPHABET).toHaveLength(31);
    expect(new Set(CODE_ALPHABET).size).toBe(31);
    expect(CODE_ALPHABET).toMatch(/^[a-z2-9]+$/);
    for (const ch of '01OoIil') expect(CODE_ALPHABET).not.toContain(ch);
  });
});

describe('generateCode', () => {
  it('makes codes of ten alphabet characters that isWellFormedCode accepts', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode(randomBytes);
      expect(code).toHaveLength(CODE_LENGTH);
      expect(CODE_LENGTH).toBe(10);
      for (const ch of code) expect(CODE_ALPHABET).toContain(ch);
      expect(isWellFormedCode(code)).toBe(true);
    }
  });

  it('maps bytes onto the alphabet by their remainder mod 31', () => {
    expect(generateCode(scripted([0, 1, 2, 3, 4, 5, 6, 7, 8, 30]))).toBe('23456789az');
    expect(generateCode(scripted([31, 62, 247, 0, 0, 0, 0, 0, 0, 0]))).toBe('22z2222222');
  });

  it('throws away bytes 248-255 so that no letter is more likely than another', () => {
    // 248 = 8 × 31: those eight values would otherwise favour the first eight letters.
    expect(generateCode(scripted([248, 249, 250, 251, 252, 253, 254, 255, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]))).toBe('7777777777');
  });

  it('asks for more randomness when a whole batch is rejected', () => {
    const batches: number[] = [];
    let call = 0;
    const source = (n: number) => {
      batches.push(n);
      call++;
      return new Uint8Array(n).fill(call === 1 ? 255 : 9);
    };
    expect(generateCode(source)).toBe('bbbbbbbbbb');
    expect(batches.length).toBe(2);
  });

  it('uses every letter about equally often (chi-squared over 62,000 letters)', () => {
    const counts = new Map<string, number>();
    const codes = 6200;
    // Uniform bytes from a fixed seed (SHA-256 in counter mode): what is tested is the mapping of
    // bytes to letters, and a fixed input makes the statistic the same on every run, never a flake.
    let block = 0;
    const seededBytes = (n: number) => Buffer.concat(Array.from({ length: Math.ceil(n / 32) }, () => createHash('sha256').update(`refcard-codes-${block++}`).digest())).subarray(0, n);
    for (let i = 0; i < codes; i++) for (const ch of generateCode(seededBytes)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(31);
    const expected = (codes * CODE_LENGTH) / 31;
    const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    // 30 degrees of freedom: p < 0.0001 above ~66.6. A biased mapping (e.g. no rejection) scores far higher.
    expect(chi2).toBeLessThan(66.6);
  });

  it('rarely repeats itself (no collisions among 20,000 codes)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(generateCode(randomBytes));
    expect(seen.size).toBe(20_000);
  });
});

describe('isWellFormedCode', () => {
  it.each(['', 'abcdefghj', 'abcdefghjkm', 'ABCDEFGHJK', 'abcdefgh0k', 'abcdefgh1k', 'abcdefghik', 'abcdefghlk', 'abcdefghok', 'abcde fghj', 'abcdefghj\n', '../etc/pas'])(
    'refuses %j',
    (code) => expect(isWellFormedCode(code)).toBe(false),
  );

  it('accepts any ten alphabet characters', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...CODE_ALPHABET), minLength: 10, maxLength: 10 }), (c) => isWellFormedCode(c)));
  });
});

describe('referralLink', () => {
  it('is PUBLIC_URL/r/<code> without a landing page', () => {
    expect(referralLink('https://refcard.example', 'abcdefghjk')).toBe('https://refcard.example/r/abcdefghjk');
    expect(referralLink('https://refcard.example', 'abcdefghjk', null)).toBe('https://refcard.example/r/abcdefghjk');
    expect(referralLink('https://refcard.example', 'abcdefghjk', '')).toBe('https://refcard.example/r/abcdefghjk');
  });

  it('never doubles the slash when PUBLIC_URL ends with one or more', () => {
    expect(referralLink('https://refcard.example/', 'abcdefghjk')).toBe('https://refcard.example/r/abcdefghjk');
    expect(referralLink('https://refcard.example///', 'abcdefghjk')).toBe('https://refcard.example/r/abcdefghjk');
    expect(referralLink('https://example.com/refcard/', 'abcdefghjk')).toBe('https://example.com/refcard/r/abcdefghjk');
  });

  it("points at the campaign's own landing page with ?ref=<code>", () => {
    expect(referralLink('https://refcard.example', 'abcdefghjk', 'https://acme.example/join')).toBe('https://acme.example/join?ref=abcdefghjk');
  });

  it('keeps an existing query string and fragment on the landing page', () => {
    expect(referralLink('https://refcard.example', 'abcdefghjk', 'https://acme.example/join?utm_source=crm&lang=de')).toBe(
      'https://acme.example/join?utm_source=crm&lang=de&ref=abcdefghjk',
    );
    expect(referralLink('https://refcard.example', 'abcdefghjk', 'https://acme.example/join?x=1#form')).toBe('https://acme.example/join?x=1&ref=abcdefghjk#form');
  });

  it('replaces a ref parameter already on the landing page instead of adding a second one', () => {
    const link = referralLink('https://refcard.example', 'abcdefghjk', 'https://acme.example/join?ref=old&ref=older');
    expect(new URL(link).searchParams.getAll('ref')).toEqual(['abcdefghjk']);
  });

  it('produces a link from which the code can be read back for any code and landing page', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...CODE_ALPHABET), minLength: 10, maxLength: 10 }), fc.webUrl({ withQueryParameters: true, withFragments: true }), (code, landing) => {
        expect(new URL(referralLink('https://refcard.example', code, landing)).searchParams.get('ref')).toBe(code);
        expect(referralLink('https://refcard.example', code).endsWith(`/r/${code}`)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
