import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { auditEvents, crmLinks, participants, webhookEndpoints, type Participant } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { generateCode } from '../../shared/codes.ts';
import { normalizeEmail, isValidEmail } from '../../shared/email.ts';
import type { Actor } from './actor.ts';
import { emitEvent } from './events.ts';
import { markCrmDirty } from './crm-dirty.ts';
import { loadCampaign } from './participants.ts';
import { participantJson } from './serialize.ts';

export interface BulkPerson {
  /** the CRM record id, linked to the participant */
  externalId: string;
  email: string | null;
  firstName?: string | null;
  lastName?: string | null;
  customFields?: Record<string, string>;
}

export interface BulkResult {
  created: number;
  existing: number;
  failed: { externalId: string; message: string }[];
}

/**
 * Enrols a page of CRM contacts as referrers in a handful of statements, whatever the page size:
 * matched by email (never duplicated), linked to their CRM records, audited, announced and queued
 * for the CRM write-back of their links. Contacts without a usable email are reported, not dropped.
 */
export async function enrolReferrersBulk(
  ctx: AppContext,
  tx: Tx,
  input: { accountId: string; campaignId: string; connectionId: string; people: BulkPerson[]; source: string; actor: Actor },
): Promise<BulkResult> {
  const campaign = await loadCampaign(tx, input.accountId, input.campaignId);
  const failed: BulkResult['failed'] = [];
  const byEmail = new Map<string, BulkPerson>();
  for (const p of input.people) {
    if (!p.email || !isValidEmail(p.email)) {
      failed.push({ externalId: p.externalId, message: p.email ? `"${p.email.slice(0, 80)}" is not a valid email address` : 'has no email address' });
      continue;
    }
    const email = normalizeEmail(p.email);
    if (!byEmail.has(email)) byEmail.set(email, p);
  }
  if (byEmail.size === 0) return { created: 0, existing: 0, failed };

  const inserted: Participant[] = await tx
    .insert(participants)
    .values(
      [...byEmail].map(([email, p]) => ({
        accountId: input.accountId,
        campaignId: campaign.id,
        email,
        firstName: p.firstName?.slice(0, 100) || null,
        lastName: p.lastName?.slice(0, 100) || null,
        customFields: p.customFields ?? {},
        source: input.source,
        code: generateCode(randomBytes),
      })),
    )
    // No conflict target: an existing email and (astronomically rarely) a colliding code are both skipped.
    .onConflictDoNothing()
    .returning();
  const all = await tx
    .select({ id: participants.id, email: participants.email })
    .from(participants)
    .where(and(eq(participants.campaignId, campaign.id), inArray(participants.email, [...byEmail.keys()])));
  await tx
    .insert(crmLinks)
    .values(all.map((p) => ({ participantId: p.id, connectionId: input.connectionId, externalId: byEmail.get(p.email!)!.externalId })))
    .onConflictDoNothing();

  if (inserted.length > 0) {
    await tx.insert(auditEvents).values(
      inserted.map((p) => ({
        accountId: input.accountId,
        campaignId: campaign.id,
        participantId: p.id,
        action: 'referrer.created',
        source: input.actor.source,
        actorType: input.actor.type,
        actorId: input.actor.id ?? null,
        actorLabel: input.actor.label ?? null,
        after: { email: p.email, code: p.code },
      })),
    );
    const [hasEndpoints] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.accountId, input.accountId), isNull(webhookEndpoints.disabledAt)));
    if (hasEndpoints!.n > 0) for (const p of inserted) await emitEvent(ctx, tx, input.accountId, 'referrer.created', { referrer: participantJson(ctx, p, campaign) });
  }
  // Everyone on the page gets their link written back, new or already enrolled.
  await markCrmDirty(ctx, tx, input.accountId, all.map((p) => p.id));
  // A code collision would leave a contact out silently; say so instead (astronomically rare).
  const missing = [...byEmail.keys()].filter((e) => !all.some((p) => p.email === e));
  for (const e of missing) failed.push({ externalId: byEmail.get(e)!.externalId, message: 'could not be enrolled; it will be retried on the next pass' });
  return { created: inserted.length, existing: all.length - inserted.length, failed };
}
