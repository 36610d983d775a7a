// The referrer's numbers at a glance.
import { Statistics, StatisticsItem } from '@hubspot/ui-extensions';
import type { ReferralStats as Stats } from '../lib/types.ts';

export function ReferralStats({ stats, compact = false }: { stats: Stats; compact?: boolean }) {
  return (
    <Statistics testId="stats">
      <StatisticsItem label="Referrals" number={stats.referrals} />
      <StatisticsItem label="Qualified" number={stats.qualified} />
      {compact ? null : <StatisticsItem label="Pending" number={stats.pending} />}
      <StatisticsItem label="Rewards" number={stats.rewardsLabel} />
    </Statistics>
  );
}
