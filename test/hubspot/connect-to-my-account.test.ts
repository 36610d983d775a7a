import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../server/db/schema.ts';
import { createAccount } from '../../server/program/accounts.ts';
import { randomToken, sha256Hex } from '../../server/platform/crypto.ts';
import { startHub, type Hub } from './harness.ts';

// "Connect HubSpot" from the console attaches the portal to the signed-in admin's account, and
// never lets an admin of one account into another account's portal and data.

let hub: Hub;
beforeAll(async () => {
  hub = await startHub({ workers: false });
});
afterAll(() => hub?.stop());

async function signedInAs(accountId: string): Promise<string> {
  const id = randomToken(32);
  await hub.t.ctx.db.insert(sessions).values({ idHash: sha256Hex(id), accountId, user: { provider: 'hubspot', id: '9', email: 'a@acme.test', name: 'A' }, csrfToken: randomToken(16), expiresAt: new Date(Date.now() + 3_600_000) });
  return `rc_session=${id}`;
}

describe('connecting a portal from the console', () => {
  it('attaches a new portal to the signed-in admin\'s account', async () => {
    const mine = await createAccount(hub.t.ctx.db, 'Mine');
    const installed = await hub.install({ cookie: await signedInAs(mine.id) });
    expect(installed.status).toBe(302);
    expect(installed.connection.accountId).toBe(mine.id);
  });

  it("refuses to attach a portal that another account already owns, and does not sign the admin into that account", async () => {
    const owner = (await hub.connection()).accountId;
    const other = await createAccount(hub.t.ctx.db, 'Someone else');
    const cookie = await signedInAs(other.id);
    const attempt = await hub.install({ cookie });
    expect(attempt.status).toBeGreaterThanOrEqual(400);
    expect(attempt.status).toBeLessThan(500);
    expect((await hub.connection()).accountId).toBe(owner);
    // The browser still holds the session it came with, not one for the portal's owner.
    expect(attempt.cookie).toContain(cookie);
  });
});
