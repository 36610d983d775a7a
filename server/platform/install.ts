import type { Context } from 'hono';
import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { createAccount } from '../program/accounts.ts';
import { startSession } from '../admin/sessions.ts';
import { findConnection, saveConnection, type Provider, type TokenSet } from './connections.ts';
import type { OAuthPurpose } from './oauth-flow.ts';

/**
 * The end of every install and sign-in, whichever CRM: decide the account, save the connection
 * (tokens encrypted), and sign the installing admin in with a fresh session.
 *   - an admin signed in who clicked "Connect" → their account (another account's portal is refused);
 *   - a portal/workspace already connected → its account (reinstall updates, never duplicates);
 *   - otherwise a new account, named after the portal/workspace.
 */
export async function finishInstall(
  ctx: AppContext,
  c: Context,
  input: {
    provider: Provider;
    externalId: string;
    name: string | null;
    tokens: TokenSet;
    user: { id: string; email: string | null; name: string | null };
    flow: { purpose: OAuthPurpose; accountId: string | null };
  },
): Promise<{ accountId: string; connection: Connection; createdAccount: boolean; createdConnection: boolean }> {
  // The flow carries the signed-in admin's account when they clicked Connect; saveConnection then
  // refuses a portal that belongs to another account. Otherwise (marketplace install, sign-in) the
  // portal's own account, or a new one.
  const existing = await findConnection(ctx.db, input.provider, input.externalId);
  let accountId = input.flow.accountId ?? existing?.accountId ?? null;
  let createdAccount = false;
  const saved = await ctx.db.transaction(async (tx) => {
    if (!accountId) {
      accountId = (await createAccount(tx, input.name ?? (input.provider === 'hubspot' ? `HubSpot portal ${input.externalId}` : `Intercom workspace ${input.externalId}`))).id;
      createdAccount = true;
    }
    return saveConnection(ctx, tx, {
      accountId,
      provider: input.provider,
      externalId: input.externalId,
      name: input.name,
      tokens: input.tokens,
      installedBy: { id: input.user.id, email: input.user.email },
    });
  });
  await startSession(ctx, c, accountId!, { provider: input.provider, id: input.user.id, email: input.user.email, name: input.user.name });
  return { accountId: accountId!, connection: saved.connection, createdAccount, createdConnection: saved.created };
}
