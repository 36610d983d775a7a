import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { participants, rewards, type Participant, type Reward } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { transitionLead } from '../../shared/qualification.ts';
import { rewardsOnQualify, rewardsToVoid } from '../../shared/rewards.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { emitEvent } from './events.ts';
import { markCrmDirty } from './crm-dirty.ts';
import { ProgramError, notFound } from './errors.ts';
import { loadCampaign } from './participants.ts';
import { participantJson, rewardJson } from './serialize.ts';

export interface StatusChange {
  participant: Participant;
  changed: boolean;
  /** why nothing changed, e.g. "already_qualified" */
  why?: string;
  issued: Reward[];
  voided: string[];
}

/**
 * Qualifies or unqualifies a lead in the caller's transaction: status, rewards, audit event,
 * outbound events and CRM pushes all commit together or not at all. Idempotent: repeating it
 * changes nothing and issues nothing.
 */
export async function setLeadStatus(
  ctx: AppContext,
  tx: Tx,
  input: { accountId: string; participantId: string; action: 'qualify' | 'unqualify'; actor: Actor; reason?: string | null; externalEventId?: string | null },
): Promise<StatusChange> {
  // Lock the lead first and its referrer second, always in that order, so concurrent
  // qualifications of one referrer's leads serialise on the referrer (milestones stay exact).
  const [lead] = await tx
    .select()
    .from(participants)
    .where(and(eq(participants.id, input.participantId), eq(participants.accountId, input.accountId)))
    .for('update');
  if (!lead) throw notFound('The lead', 'id');
  if (lead.erasedAt) throw new ProgramError(410, 'erased', 'This person asked to be forgotten; their record is anonymised.', 'id');
  const t = transitionLead(lead.leadStatus, input.action);
  if (!t.changed) {
    if (t.why === 'not_a_lead') throw new ProgramError(409, 'not_a_lead', 'This person was not referred by anyone, so there is nothing to qualify.', 'id');
    return { participant: lead, changed: false, why: t.why, issued: [], voided: [] };
  }
  const [referrer] = await tx.select().from(participants).where(eq(participants.id, lead.referredById!)).for('update');
  const campaign = await loadCampaign(tx, input.accountId, lead.campaignId);
  const now = ctx.now();
  const [updated] = await tx
    .update(participants)
    .set({ leadStatus: t.to, statusChangedAt: now, statusReason: input.reason ?? null, statusSource: input.actor.source, updatedAt: now })
    .where(eq(participants.id, lead.id))
    .returning();

  const leadRewards = await tx.select().from(rewards).where(eq(rewards.leadId, lead.id));
  const issued: Reward[] = [];
  let voided: string[] = [];
  if (t.to === 'qualified' && referrer) {
    const [{ n }] = (await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(participants)
      .where(and(eq(participants.referredById, referrer.id), eq(participants.leadStatus, 'qualified')))) as [{ n: number }];
    const milestones = await tx
      .select({ ruleId: rewards.ruleId })
      .from(rewards)
      .where(and(eq(rewards.recipientId, referrer.id), ne(rewards.status, 'voided')));
    const plans = rewardsOnQualify({
      rules: campaign.rewardRules,
      leadId: lead.id,
      referrerId: referrer.id,
      referrerQualifiedCount: n,
      leadRewards,
      referrerMilestones: new Set(campaign.rewardRules.filter((r) => r.trigger === 'milestone' && milestones.some((m) => m.ruleId === r.id)).map((r) => r.id)),
    });
    for (const plan of plans) {
      const [row] =
        plan.kind === 'issue'
          ? await tx
              .insert(rewards)
              .values({
                accountId: input.accountId,
                campaignId: campaign.id,
                leadId: lead.id,
                recipientId: plan.recipientId,
                ruleId: plan.rule.id,
                description: plan.rule.name,
                amountCents: plan.rule.amountCents,
                currency: plan.rule.currency,
                issuedAt: now,
              })
              .onConflictDoNothing()
              .returning()
          : await tx.update(rewards).set({ status: 'due', voidedAt: null, issuedAt: now }).where(eq(rewards.id, plan.rewardId)).returning();
      if (row) issued.push(row);
    }
  } else if (t.to === 'unqualified') {
    voided = rewardsToVoid(leadRewards);
    if (voided.length) await tx.update(rewards).set({ status: 'voided', voidedAt: now }).where(inArray(rewards.id, voided));
  }

  await audit(tx, {
    accountId: input.accountId,
    campaignId: campaign.id,
    participantId: lead.id,
    action: t.to === 'qualified' ? 'lead.qualified' : 'lead.unqualified',
    actor: input.actor,
    before: { status: t.from },
    after: { status: t.to, rewardsIssued: issued.map((r) => r.id), rewardsVoided: voided },
    reason: input.reason ?? null,
    externalEventId: input.externalEventId ?? null,
  });
  const referrerJson = referrer ? participantJson(ctx, referrer, campaign) : null;
  await emitEvent(ctx, tx, input.accountId, t.to === 'qualified' ? 'lead.qualified' : 'lead.unqualified', {
    lead: participantJson(ctx, updated!, campaign),
    referrer: referrerJson,
    reason: input.reason ?? null,
    source: input.actor.source,
    rewards_voided: voided,
  });
  for (const r of issued) await emitEvent(ctx, tx, input.accountId, 'reward.issued', { reward: rewardJson(r), lead: participantJson(ctx, updated!, campaign), referrer: referrerJson });
  await markCrmDirty(ctx, tx, input.accountId, [lead.id, ...(referrer ? [referrer.id] : []), ...issued.map((r) => r.recipientId)]);
  return { participant: updated!, changed: true, issued, voided };
}
