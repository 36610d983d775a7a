import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { participants, rewards } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { ReferralStats } from '../../shared/view-model.ts';
import { rewardsLabel } from '../../shared/rewards.ts';

/** One participant's stats from their leads counted by status and their live rewards summed by currency. */
export function statsOf(counts: { status: string | null; n: number }[], money: { currency: string; amountCents: number; count: number }[]): ReferralStats {
  const s: ReferralStats = { referrals: 0, qualified: 0, pending: 0, unqualified: 0, rewardsEarned: 0, rewardsLabel: rewardsLabel(money) };
  for (const c of counts) {
    s.referrals += c.n;
    if (c.status === 'qualified' || c.status === 'pending' || c.status === 'unqualified') s[c.status] += c.n;
  }
  s.rewardsEarned = money.reduce((n, m) => n + m.count, 0);
  return s;
}

/** Referral stats for many participants in two indexed queries (no per-person round trips). */
export async function statsFor(q: Queryable, ids: string[]): Promise<Map<string, ReferralStats>> {
  if (ids.length === 0) return new Map();
  const counts = await q
    .select({ id: participants.referredById, status: participants.leadStatus, n: sql<number>`count(*)::int` })
    .from(participants)
    .where(inArray(participants.referredById, ids))
    .groupBy(participants.referredById, participants.leadStatus);
  const money = await q
    .select({ id: rewards.recipientId, currency: rewards.currency, amountCents: sql<number>`sum(${rewards.amountCents})::int`, count: sql<number>`count(*)::int` })
    .from(rewards)
    .where(and(inArray(rewards.recipientId, ids), ne(rewards.status, 'voided')))
    .groupBy(rewards.recipientId, rewards.currency);
  return new Map(ids.map((id) => [id, statsOf(counts.filter((c) => c.id === id), money.filter((m) => m.id === id))]));
}

export async function campaignStats(q: Queryable, campaignId: string) {
  const [row] = await q
    .select({
      participants: sql<number>`count(*)::int`,
      // a referrer: enrolled to refer (not referred), or a lead who has referred someone in turn
      referrers: sql<number>`count(*) filter (where ${participants.leadStatus} is null or exists (select 1 from participants l where l.referred_by_id = ${participants.id}))::int`,
      leads: sql<number>`count(*) filter (where ${participants.leadStatus} is not null)::int`,
      pending: sql<number>`count(*) filter (where ${participants.leadStatus} = 'pending')::int`,
      qualified: sql<number>`count(*) filter (where ${participants.leadStatus} = 'qualified')::int`,
      unqualified: sql<number>`count(*) filter (where ${participants.leadStatus} = 'unqualified')::int`,
    })
    .from(participants)
    .where(eq(participants.campaignId, campaignId));
  const rewardRows = await q
    .select({ status: rewards.status, currency: rewards.currency, amountCents: sql<number>`sum(${rewards.amountCents})::int`, count: sql<number>`count(*)::int` })
    .from(rewards)
    .where(eq(rewards.campaignId, campaignId))
    .groupBy(rewards.status, rewards.currency);
  const live = rewardRows.filter((r) => r.status !== 'voided');
  return {
    participants: row!.participants,
    referrers: row!.referrers,
    leads: row!.leads,
    pending: row!.pending,
    qualified: row!.qualified,
    unqualified: row!.unqualified,
    rewards: {
      issued: live.reduce((n, r) => n + r.count, 0),
      voided: rewardRows.filter((r) => r.status === 'voided').reduce((n, r) => n + r.count, 0),
      totals: live.map((r) => ({ status: r.status, currency: r.currency, amount_cents: r.amountCents, count: r.count })),
    },
  };
}
