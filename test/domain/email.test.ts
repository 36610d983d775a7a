import { describe, expect, it } from 'vitest';
import { EmailSchema, isValidEmail, normalizeEmail } from '../../shared/email.ts';

describe('normalizeEmail', () => {
  it('trims surrounding white space and lower-cases, so "Ann@X.com" and " ann@x.com " are one person', () => {
    expect(normalizeEmail('  Ann@Example.COM\t')).toBe('ann@example.com');
    expect(normalizeEmail('ann@example.com')).toBe(normalizeEmail(' ANN@EXAMPLE.com '));
  });

  it('keeps dots and plus-tags, which are distinct mailboxes at most providers', () => {
    expect(normalizeEmail('First.Last+promo@Example.com')).toBe('first.last+promo@example.com');
    expect(normalizeEmail('firstlast@example.com')).not.toBe(normalizeEmail('first.last@example.com'));
  });

  it('composes Unicode, so a decomposed and a precomposed é name the same person', () => {
    const decomposed = 'jose\u0301@example.com';
    const precomposed = 'jos\u00e9@example.com';
    expect(decomposed).not.toBe(precomposed);
    expect(normalizeEmail(decomposed)).toBe(normalizeEmail(precomposed));
  });

  it('trims Unicode white space such as a no-break space pasted from a document', () => {
    expect(normalizeEmail('\u00a0ann@example.com\u2028')).toBe('ann@example.com');
  });

  it('is idempotent', () => {
    for (const raw of [' A@B.co ', 'x.Y+z@Sub.Example.org', 'jose\u0301@example.com']) {
      expect(normalizeEmail(normalizeEmail(raw))).toBe(normalizeEmail(raw));
    }
  });
});

describe('EmailSchema and isValidEmail', () => {
  it('accepts ordinary addresses and hands back their normalised form', () => {
    expect(EmailSchema.parse('  Ann.Lee+ref@Mail.Example.co.uk ')).toBe('ann.lee+ref@mail.example.co.uk');
    for (const ok of ['a@b.co', "o'brien@example.ie", 'x_y-z@sub-domain.example.com', 'user!#$%&*=?^`{|}~@example.com', '1@2.io']) {
      expect(isValidEmail(ok), ok).toBe(true);
    }
  });

  it.each([
    ['an empty string', ''],
    ['blanks only', '   '],
    ['no @', 'ann.example.com'],
    ['two @', 'ann@@example.com'],
    ['an @ in the domain', 'ann@exa@mple.com'],
    ['nothing before the @', '@example.com'],
    ['nothing after the @', 'ann@'],
    ['a dotless domain', 'ann@localhost'],
    ['a space inside', 'ann lee@example.com'],
    ['a domain label starting with a hyphen', 'ann@-example.com'],
    ['a domain label ending with a hyphen', 'ann@example-.com'],
    ['an empty domain label', 'ann@example..com'],
    ['a trailing dot', 'ann@example.com.'],
    ['a domain label over 63 characters', `ann@${'a'.repeat(64)}.com`],
    ['a non-ASCII local part', 'jos\u00e9@example.com'],
    ['an internationalised domain', 'ann@ex\u00e4mple.com'],
    ['a display name', 'Ann <ann@example.com>'],
    ['a NUL character', 'ann\u0000@example.com'],
    ['a line break inside', 'ann@exa\nmple.com'],
  ])('refuses %s', (_, raw) => {
    expect(isValidEmail(raw)).toBe(false);
    const r = EmailSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/valid email|at most 254/);
  });

  it('accepts exactly 254 characters and refuses 255 (the SMTP path limit)', () => {
    const at254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(at254).toHaveLength(254);
    expect(isValidEmail(at254)).toBe(true);
    const at255 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
    const r = EmailSchema.safeParse(at255);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('must be at most 254 characters');
  });

  it('measures the length after trimming, so padding does not push a valid address over the limit', () => {
    const at254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(isValidEmail(`   ${at254}   `)).toBe(true);
  });

  it('refuses anything that is not a string', () => {
    for (const v of [null, undefined, 42, {}, ['a@b.co']]) expect(EmailSchema.safeParse(v).success).toBe(false);
  });
});
