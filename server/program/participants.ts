import { and, eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { campaigns, participants, type Campaign, type Participant } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { generateCode } from '../../shared/codes.ts';
import { normalizeEmail } from '../../shared/email.ts';
import { decideReferral } from '../../shared/referral.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { emitEvent } from './events.ts';
import { markCrmDirty } from './crm-dirty.ts';
import { ProgramError, notFound } from './errors.ts';
import { participantJson } from './serialize.ts';

export interface PersonInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  customFields?: Record<string, string | number | boolean | null>;
}

export async function loadCampaign(q: Queryable, accountId: string, campaignId: string, field = 'campaign_id'): Promise<Campaign> {
  const [c] = await q.select().from(campaigns).where(and(eq(campaigns.id, campaignId), eq(campaigns.accountId, accountId)));
  if (!c) throw notFound('The campaign', field);
  return c;
}

/**
 * Enrols a referrer, or returns the person already in the campaign with that email (idempotent per
 * campaign + email). Names are filled in only where empty: a re-sent contact never overwrites
 * what is there, and never changes who referred them.
 */
export async function enrolReferrer(
  ctx: AppContext,
  tx: Tx,
  input: PersonInput & { accountId: string; campaignId: string; source: string; actor: Actor },
): Promise<{ participant: Participant; created: boolean }> {
  const campaign = await loadCampaign(tx, input.accountId, input.campaignId);
  if (campaign.status === 'archived') throw new ProgramError(409, 'campaign_archived', 'This campaign is archived.', 'campaign_id');
  const email = normalizeEmail(input.email);
  const inserted = await insertParticipant(tx, {
    accountId: input.accountId,
    campaignId: campaign.id,
    email,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    customFields: input.customFields ?? {},
    source: input.source,
    referredById: null,
    leadStatus: null,
  });
  if (!inserted) {
    const [existing] = await tx
      .update(participants)
      .set({
        firstName: sql`coalesce(${participants.firstName}, ${input.firstName ?? null})`,
        lastName: sql`coalesce(${participants.lastName}, ${input.lastName ?? null})`,
        customFields: sql`${JSON.stringify(input.customFields ?? {})}::jsonb || ${participants.customFields}`,
      })
      .where(and(eq(participants.campaignId, campaign.id), eq(participants.email, email)))
      .returning();
    return { participant: existing!, created: false };
  }
  await audit(tx, { accountId: input.accountId, campaignId: campaign.id, participantId: inserted.id, action: 'referrer.created', actor: input.actor, after: { email, code: inserted.code } });
  await emitEvent(ctx, tx, input.accountId, 'referrer.created', { referrer: participantJson(ctx, inserted, campaign) });
  await markCrmDirty(ctx, tx, input.accountId, [inserted.id]);
  return { participant: inserted, created: true };
}

/**
 * Creates a referred lead from a referral code. The first referrer keeps the credit; self-referral
 * and loops are refused with a reason. Repeating the same referral answers the existing lead.
 */
export async function createLead(
  ctx: AppContext,
  tx: Tx,
  input: PersonInput & { accountId: string; campaignId?: string; referralCode: string; source: string; actor: Actor },
): Promise<{ participant: Participant; referrer: Participant; campaign: Campaign; created: boolean }> {
  const email = normalizeEmail(input.email);
  const [referrer] = await tx
    .select()
    .from(participants)
    .where(and(eq(participants.code, input.referralCode.trim().toLowerCase()), eq(participants.accountId, input.accountId)))
    .for('update');
  if (input.campaignId && referrer && referrer.campaignId !== input.campaignId) {
    throw new ProgramError(422, 'code_not_in_campaign', 'This referral code belongs to another campaign.', 'referral_code');
  }
  const campaign = referrer ? await loadCampaign(tx, input.accountId, referrer.campaignId) : null;
  const [existing] = referrer
    ? await tx.select().from(participants).where(and(eq(participants.campaignId, referrer.campaignId), eq(participants.email, email))).for('update')
    : [];
  if (existing && referrer && existing.referredById === referrer.id) {
    return { participant: existing, referrer, campaign: campaign!, created: false };
  }
  const decision = decideReferral({
    campaignStatus: campaign?.status ?? 'active',
    referrer: referrer && !referrer.erasedAt ? { id: referrer.id, email: referrer.email } : null,
    leadEmail: email,
    existing: existing ? { id: existing.id, referredById: existing.referredById } : null,
    referrerAncestry: referrer ? await ancestry(tx, referrer.id) : [],
  });
  if (!decision.ok) {
    const r = decision.refusal;
    const status = r.code === 'unknown_code' ? 422 : 409;
    const field = r.code === 'unknown_code' ? 'referral_code' : r.code === 'campaign_paused' ? 'campaign_id' : 'email';
    throw new ProgramError(status, r.code, r.message, field);
  }
  const now = ctx.now();
  let lead: Participant;
  if (decision.existingParticipantId) {
    // Someone already enrolled as a referrer, not referred by anyone: they become this lead.
    [lead] = (await tx
      .update(participants)
      .set({ referredById: referrer!.id, leadStatus: 'pending', statusChangedAt: now, statusSource: input.actor.source, updatedAt: now })
      .where(eq(participants.id, decision.existingParticipantId))
      .returning()) as [Participant];
  } else {
    const inserted = await insertParticipant(tx, {
      accountId: input.accountId,
      campaignId: referrer!.campaignId,
      email,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      customFields: input.customFields ?? {},
      source: input.source,
      referredById: referrer!.id,
      leadStatus: 'pending',
      statusChangedAt: now,
      statusSource: input.actor.source,
    });
    if (!inserted) throw new ProgramError(409, 'already_participant', 'This person joined the campaign at the same moment; try again.', 'email');
    lead = inserted;
  }
  await audit(tx, {
    accountId: input.accountId,
    campaignId: lead.campaignId,
    participantId: lead.id,
    action: 'lead.created',
    actor: input.actor,
    after: { email, referredBy: referrer!.id, status: 'pending' },
  });
  await emitEvent(ctx, tx, input.accountId, 'lead.created', {
    lead: participantJson(ctx, lead, campaign!),
    referrer: participantJson(ctx, referrer!, campaign!),
  });
  await markCrmDirty(ctx, tx, input.accountId, [lead.id, referrer!.id]);
  return { participant: lead, referrer: referrer!, campaign: campaign!, created: true };
}

/** Ids up the referral chain from `id` (who referred them, and so on), nearest first, bounded. */
async function ancestry(q: Queryable, id: string): Promise<string[]> {
  const rows = await q.execute<{ id: string }>(sql`
    with recursive chain(id, referred_by_id, depth) as (
      select id, referred_by_id, 0 from participants where id = ${id}
      union all
      select p.id, p.referred_by_id, c.depth + 1 from participants p join chain c on p.id = c.referred_by_id where c.depth < 100
    )
    select id from chain where depth > 0 order by depth`);
  return rows.map((r) => r.id);
}

type NewParticipant = Omit<typeof participants.$inferInsert, 'code'>;

/** Inserts with a fresh code; null when the email is already in the campaign. */
async function insertParticipant(tx: Tx, values: NewParticipant): Promise<Participant | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = generateCode(randomBytes);
    const [row] = await tx
      .insert(participants)
      .values({ ...values, code })
      .onConflictDoNothing()
      .returning();
    if (row) return row;
    // Either the email exists (expected) or, astronomically rarely, the code collided: tell apart.
    const [byEmail] = await tx
      .select({ id: participants.id })
      .from(participants)
      .where(and(eq(participants.campaignId, values.campaignId), eq(participants.email, values.email!)));
    if (byEmail) return null;
  }
  throw new Error('could not allocate a unique referral code');
}
