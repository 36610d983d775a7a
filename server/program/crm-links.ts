import { crmLinks } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';

/** Remembers which CRM record stands for a participant (first link wins; re-linking is a no-op). */
export async function linkCrmRecord(q: Queryable, participantId: string, connectionId: string, externalId: string): Promise<void> {
  await q
    .insert(crmLinks)
    .values({ participantId, connectionId, externalId })
    .onConflictDoUpdate({ target: [crmLinks.participantId, crmLinks.connectionId], set: { externalId } });
}
