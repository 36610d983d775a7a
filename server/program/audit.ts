import { auditEvents } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { Actor } from './actor.ts';

export interface AuditInput {
  accountId: string;
  campaignId?: string | null;
  participantId?: string | null;
  action: string;
  actor: Actor;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  externalEventId?: string | null;
}

/** Written in the same transaction as the change it describes, so the log can never disagree with the data. */
export async function audit(tx: Tx, e: AuditInput): Promise<void> {
  await tx.insert(auditEvents).values({
    accountId: e.accountId,
    campaignId: e.campaignId ?? null,
    participantId: e.participantId ?? null,
    action: e.action,
    source: e.actor.source,
    actorType: e.actor.type,
    actorId: e.actor.id ?? null,
    actorLabel: e.actor.label ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: e.reason ?? null,
    externalEventId: e.externalEventId ?? null,
  });
}
