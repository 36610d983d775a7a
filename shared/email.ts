import { z } from 'zod';

/**
 * The identity key of a person in a campaign. Trimmed, Unicode-normalised and lower-cased: mailbox
 * local parts are case-insensitive at every provider we meet, and treating them so is what stops
 * "Ann@x.com" and "ann@x.com" becoming two referrers. Dots and plus-tags are kept: they are real,
 * distinct addresses at most providers.
 */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

/** A practical email check (the HTML living standard's), plus the 254-character SMTP limit. */
export const EmailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .regex(
    /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/,
    'must be a valid email address',
  )
  .transform(normalizeEmail);

export function isValidEmail(raw: string): boolean {
  return EmailSchema.safeParse(raw).success;
}
