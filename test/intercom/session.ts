import { sessions } from '../../server/db/schema.ts';
import { randomToken, sha256Hex } from '../../server/platform/crypto.ts';
import type { Harness } from './harness.ts';

/** The cookies of an admin signed in to the Refcard console, who then clicks "Connect Intercom". */
export async function signedInCookies(h: Harness, accountId: string): Promise<Map<string, string>> {
  const id = randomToken(32);
  await h.t.ctx.db.insert(sessions).values({
    idHash: sha256Hex(id),
    accountId,
    user: { provider: 'intercom', id: 'console-admin', email: 'owner@acme.example', name: 'Olive Owner' },
    csrfToken: randomToken(24),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return new Map([['rc_session', id]]);
}
