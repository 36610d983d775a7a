// Referral codes: short, URL-safe, unguessable, unique. 10 characters from a 31-letter alphabet
// without look-alikes (0/O, 1/l/I) give ~49 bits: guessing a live code among a million is about
// one in 500 million per try, and the landing routes are rate-limited.
export const CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const CODE_LENGTH = 10;
const CODE_RE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** `randomBytes` is injected so the domain stays free of I/O; pass node:crypto's. */
export function generateCode(randomBytes: (n: number) => Uint8Array): string {
  let out = '';
  // Rejection sampling keeps every letter equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % CODE_ALPHABET.length);
  while (out.length < CODE_LENGTH) {
    for (const b of randomBytes(CODE_LENGTH * 2)) {
      if (b < limit) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
      if (out.length === CODE_LENGTH) break;
    }
  }
  return out;
}

export function isWellFormedCode(code: string): boolean {
  return CODE_RE.test(code);
}

/** `PUBLIC_URL/r/<code>`, or the campaign's own landing page with `?ref=<code>`. */
export function referralLink(publicUrl: string, code: string, landingUrl?: string | null): string {
  if (landingUrl) {
    const url = new URL(landingUrl);
    url.searchParams.set('ref', code);
    return url.toString();
  }
  return `${publicUrl.replace(/\/+$/, '')}/r/${code}`;
}
