import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { participants, rewards } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { ReferralStats } from '../../shared/view-model.ts';
import { rewardsLabel } from '../../shared/rewards.ts';

/** Referral stats for many participants in two indexed queries (no per-person round trips). */
export async function statsFor(q: Queryable, ids: string[]): Promise<Map<string, ReferralStats>> {
  const out = new Map<string, ReferralStats>();
  for (const id of ids) out.set(id, { referrals: 0, qualified: 0, pending: 0, unqualified: 0, rewardsEarned: 0, rewardsLabel: 'none yet' });
  if (ids.length === 0) return out;
  const counts = await q
    .select({ id: participants.referredById, status: participants.leadStatus, n: sql<number>`count(*)::int` })
    .from(participants)
    .where(inArray(participants.referredById, ids))
    .groupBy(participants.referredById, participants.leadStatus);
  for (const c of counts) {
    const s = out.get(c.id!)!;
    s.referrals += c.n;
    if (c.status === 'qualified') s.qualified += c.n;
    else if (c.status === 'pending') s.pending += c.n;
    else if (c.status === 'unqualified') s.unqualified += c.n;
  }
  const money = await q
    .select({ id: rewards.recipientId, currency: rewards.currency, amountCents: sql<number>`sum(${rewards.amountCents})::int`, count: sql<number>`count(*)::int` })
    .from(rewards)
    .where(and(inArray(rewards.recipientId, ids), ne(rewards.status, 'voided')))
    .groupBy(rewards.recipientId, rewards.currency);
  const byId = new Map<string, { currency: string; amountCents: number; count: number }[]>();
  for (const m of money) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);
  for (const [id, totals] of byId) {
    const s = out.get(id)!;
    s.rewardsEarned = totals.reduce((n, t) => n + t.count, 0);
    s.rewardsLabel = rewardsLabel(totals);
  }
  return out;
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
