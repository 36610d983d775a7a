import { and, eq, isNull } from 'drizzle-orm';
import { accounts, apiKeys } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import { randomToken, sha256Hex } from '../platform/crypto.ts';

const KEY_PREFIX = 'rk_live_';

export async function createAccount(tx: Queryable, name: string) {
  const [a] = await tx.insert(accounts).values({ name }).returning();
  return a!;
}

/** Returns the key once; only its hash is stored. */
export async function createApiKey(tx: Queryable, accountId: string, name: string): Promise<{ id: string; key: string; prefix: string }> {
  const key = KEY_PREFIX + randomToken(24);
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  const [row] = await tx.insert(apiKeys).values({ accountId, name, prefix, hash: sha256Hex(key) }).returning({ id: apiKeys.id });
  return { id: row!.id, key, prefix };
}

export async function revokeApiKey(tx: Tx, accountId: string, id: string): Promise<boolean> {
  const rows = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** The account a bearer key belongs to, or null. Hash lookup: equal-time by construction. */
export async function accountForApiKey(q: Queryable, key: string): Promise<{ accountId: string; keyId: string; name: string } | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const [row] = await q
    .select({ accountId: apiKeys.accountId, keyId: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, sha256Hex(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}
