import type { RewardRule } from './campaign.ts';

export interface ExistingReward {
  id: string;
  ruleId: string;
  leadId: string;
  recipientId: string;
  status: 'due' | 'paid' | 'voided';
}

export type RewardPlan =
  | { kind: 'issue'; rule: RewardRule; recipientId: string }
  | { kind: 'reinstate'; rewardId: string; rule: RewardRule };

/**
 * Rewards owed when `lead` becomes qualified. At most one reward per lead, rule and recipient ever
 * exists: a reward voided by an earlier unqualify is reinstated, never issued twice.
 * `referrerQualifiedCount` counts the referrer's qualified leads including this one.
 */
export function rewardsOnQualify(input: {
  rules: RewardRule[];
  leadId: string;
  referrerId: string;
  referrerQualifiedCount: number;
  /** rewards already tied to this lead */
  leadRewards: ExistingReward[];
  /** the referrer's live (due or paid) milestone rewards, by rule id */
  referrerMilestones: Set<string>;
}): RewardPlan[] {
  const plans: RewardPlan[] = [];
  for (const rule of input.rules) {
    const recipientId = rule.recipient === 'referrer' ? input.referrerId : input.leadId;
    const prior = input.leadRewards.find((r) => r.ruleId === rule.id && r.recipientId === recipientId);
    if (rule.trigger === 'milestone') {
      if (input.referrerMilestones.has(rule.id)) continue;
      if (input.referrerQualifiedCount < (rule.threshold ?? Infinity)) continue;
    }
    if (!prior) plans.push({ kind: 'issue', rule, recipientId });
    else if (prior.status === 'voided') plans.push({ kind: 'reinstate', rewardId: prior.id, rule });
  }
  return plans;
}

/** Unqualifying voids what has not been paid out; paid rewards stay paid (money already left). */
export function rewardsToVoid(leadRewards: ExistingReward[]): string[] {
  return leadRewards.filter((r) => r.status === 'due').map((r) => r.id);
}

/** Amounts are kept in the currency's minor units (cents; yen have none). */
export function formatMoney(amountMinor: number, currency: string): string {
  try {
    const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    const value = amountMinor / 10 ** digits;
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: Number.isInteger(value) ? 0 : digits }).format(value);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/** "$150 (3 rewards)", "$100 + €20 (2 rewards)" or "none yet". */
export function rewardsLabel(totals: { currency: string; amountCents: number; count: number }[]): string {
  const live = totals.filter((t) => t.count > 0);
  if (live.length === 0) return 'none yet';
  const count = live.reduce((n, t) => n + t.count, 0);
  const money = live.map((t) => formatMoney(t.amountCents, t.currency)).join(' + ');
  return `${money} (${count} reward${count === 1 ? '' : 's'})`;
}
