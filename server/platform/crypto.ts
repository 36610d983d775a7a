import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Tokens and signing secrets at rest: AES-256-GCM with a random 12-byte IV per value, so a database
// dump holds nothing usable without ENCRYPTION_KEY. Format: v1.<iv>.<tag>.<ciphertext> (base64url).

export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decrypt(key: Buffer, sealed: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not an encrypted value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** A random token for keys, states and session ids (base64url, `bytes` of entropy). */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
