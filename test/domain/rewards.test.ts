import { describe, expect, it } from 'vitest';
import type { RewardRule } from '../../shared/campaign.ts';
import { formatMoney, rewardsLabel, rewardsOnQualify, rewardsToVoid, type ExistingReward } from '../../shared/rewards.ts';

const bounty: RewardRule = { id: 'bounty', name: '$50 per friend', recipient: 'referrer', trigger: 'per_qualified_lead', amountCents: 5000, currency: 'USD' };
const welcome: RewardRule = { id: 'welcome', name: '$20 credit', recipient: 'lead', trigger: 'per_qualified_lead', amountCents: 2000, currency: 'USD' };
const three: RewardRule = { id: 'three', name: 'Bonus at 3', recipient: 'referrer', trigger: 'milestone', threshold: 3, amountCents: 10000, currency: 'USD' };

const input = (over: Partial<Parameters<typeof rewardsOnQualify>[0]> = {}): Parameters<typeof rewardsOnQualify>[0] => ({
  rules: [bounty, welcome, three],
  leadId: 'lead',
  referrerId: 'ref',
  referrerQualifiedCount: 1,
  leadRewards: [],
  referrerMilestones: new Set(),
  ...over,
});
const reward = (over: Partial<ExistingReward>): ExistingReward => ({ id: 'r1', ruleId: 'bounty', leadId: 'lead', recipientId: 'ref', status: 'due', ...over });

describe('rewardsOnQualify', () => {
  it('issues each per-lead reward to its recipient: the referrer’s bounty and the lead’s welcome credit', () => {
    expect(rewardsOnQualify(input())).toEqual([
      { kind: 'issue', rule: bounty, recipientId: 'ref' },
      { kind: 'issue', rule: welcome, recipientId: 'lead' },
    ]);
  });

  it('issues nothing when the campaign has no reward rules', () => {
    expect(rewardsOnQualify(input({ rules: [] }))).toEqual([]);
  });

  it('holds a milestone reward until the referrer’s qualified leads reach the threshold', () => {
    expect(rewardsOnQualify(input({ rules: [three], referrerQualifiedCount: 2 }))).toEqual([]);
    expect(rewardsOnQualify(input({ rules: [three], referrerQualifiedCount: 3 }))).toEqual([{ kind: 'issue', rule: three, recipientId: 'ref' }]);
  });

  it('issues a milestone only once per referrer, even as more leads qualify past the threshold', () => {
    expect(rewardsOnQualify(input({ rules: [three], referrerQualifiedCount: 4, referrerMilestones: new Set(['three']) }))).toEqual([]);
  });

  it('issues a milestone missed earlier (e.g. the rule was added later) when the next lead qualifies above the threshold', () => {
    expect(rewardsOnQualify(input({ rules: [three], referrerQualifiedCount: 7 }))).toEqual([{ kind: 'issue', rule: three, recipientId: 'ref' }]);
  });

  it('treats a milestone rule without a threshold as never reached', () => {
    const broken = { ...three, threshold: undefined };
    expect(rewardsOnQualify(input({ rules: [broken], referrerQualifiedCount: 1_000_000 }))).toEqual([]);
  });

  it('never issues a reward twice for the same lead, rule and recipient', () => {
    const existing = [reward({ id: 'b', ruleId: 'bounty', recipientId: 'ref', status: 'due' }), reward({ id: 'w', ruleId: 'welcome', recipientId: 'lead', status: 'paid' })];
    expect(rewardsOnQualify(input({ rules: [bounty, welcome], leadRewards: existing }))).toEqual([]);
  });

  it('reinstates a reward voided by an earlier unqualify instead of issuing a new one', () => {
    const existing = [reward({ id: 'b', ruleId: 'bounty', recipientId: 'ref', status: 'voided' }), reward({ id: 'w', ruleId: 'welcome', recipientId: 'lead', status: 'due' })];
    expect(rewardsOnQualify(input({ rules: [bounty, welcome], leadRewards: existing }))).toEqual([{ kind: 'reinstate', rewardId: 'b', rule: bounty }]);
  });

  it('reinstates a voided milestone reward tied to this lead when the threshold is met again', () => {
    const existing = [reward({ id: 'm', ruleId: 'three', recipientId: 'ref', status: 'voided' })];
    expect(rewardsOnQualify(input({ rules: [three], referrerQualifiedCount: 3, leadRewards: existing }))).toEqual([{ kind: 'reinstate', rewardId: 'm', rule: three }]);
  });

  it('does not confuse a reward of the same rule held by another recipient', () => {
    const existing = [reward({ id: 'x', ruleId: 'bounty', recipientId: 'lead', status: 'due' })];
    expect(rewardsOnQualify(input({ rules: [bounty], leadRewards: existing }))).toEqual([{ kind: 'issue', rule: bounty, recipientId: 'ref' }]);
  });
});

describe('rewardsToVoid', () => {
  it('voids what is due and leaves paid rewards paid (the money already left)', () => {
    const rs = [reward({ id: 'due1', status: 'due' }), reward({ id: 'paid', status: 'paid' }), reward({ id: 'gone', status: 'voided' }), reward({ id: 'due2', status: 'due' })];
    expect(rewardsToVoid(rs)).toEqual(['due1', 'due2']);
  });

  it('voids nothing when there are no rewards', () => {
    expect(rewardsToVoid([])).toEqual([]);
  });
});

describe('formatMoney', () => {
  it.each([
    [15000, 'USD', '$150'],
    [1250, 'USD', '$12.50'],
    [5, 'USD', '$0.05'],
    [0, 'USD', '$0'],
    [2000, 'EUR', '€20'],
    [123456789, 'GBP', '£1,234,567.89'],
  ])('shows %i cents of %s as %s', (cents, currency, text) => {
    expect(formatMoney(cents, currency)).toBe(text);
  });

  it('falls back to "<amount> <code>" for a currency Intl cannot format, instead of throwing', () => {
    expect(formatMoney(150, 'US')).toBe('1.50 US');
    expect(formatMoney(150, 'ABCD')).toBe('1.50 ABCD');
  });
});

describe('rewardsLabel', () => {
  it('says "none yet" when nothing was earned', () => {
    expect(rewardsLabel([])).toBe('none yet');
    expect(rewardsLabel([{ currency: 'USD', amountCents: 0, count: 0 }])).toBe('none yet');
  });

  it('sums one currency with a count', () => {
    expect(rewardsLabel([{ currency: 'USD', amountCents: 15000, count: 3 }])).toBe('$150 (3 rewards)');
  });

  it('uses the singular for one reward', () => {
    expect(rewardsLabel([{ currency: 'USD', amountCents: 5000, count: 1 }])).toBe('$50 (1 reward)');
  });

  it('joins several currencies and counts them all', () => {
    expect(
      rewardsLabel([
        { currency: 'USD', amountCents: 10000, count: 1 },
        { currency: 'EUR', amountCents: 2000, count: 1 },
      ]),
    ).toBe('$100 + €20 (2 rewards)');
  });

  it('leaves out currencies with no rewards', () => {
    expect(
      rewardsLabel([
        { currency: 'EUR', amountCents: 0, count: 0 },
        { currency: 'USD', amountCents: 1250, count: 1 },
      ]),
    ).toBe('$12.50 (1 reward)');
  });
});

describe('money in each currency\'s own minor units', () => {
  it('shows yen, which have no minor unit, as whole yen', async () => {
    const { formatMoney } = await import('../../shared/rewards.ts');
    expect(formatMoney(1050, 'JPY')).toBe('¥1,050');
    expect(formatMoney(1050, 'USD')).toBe('$10.50');
    expect(formatMoney(5000, 'USD')).toBe('$50');
  });
});
