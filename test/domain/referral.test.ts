import { describe, expect, it } from 'vitest';
import { decideReferral, type ReferralFacts } from '../../shared/referral.ts';

const ann = { id: 'ann', email: 'ann@example.com' };
const facts = (over: Partial<ReferralFacts> = {}): ReferralFacts => ({
  campaignStatus: 'active',
  referrer: ann,
  leadEmail: 'bob@example.com',
  existing: null,
  referrerAncestry: [],
  ...over,
});

describe('decideReferral', () => {
  it('accepts a new person referred through a live code', () => {
    expect(decideReferral(facts())).toEqual({ ok: true, existingParticipantId: null });
  });

  it('refuses a code that matches nobody', () => {
    expect(decideReferral(facts({ referrer: null }))).toEqual({ ok: false, refusal: { code: 'unknown_code', message: 'This referral code does not exist.' } });
  });

  it('reports an unknown code before anything else, even in a paused campaign', () => {
    const d = decideReferral(facts({ referrer: null, campaignStatus: 'paused', leadEmail: 'ann@example.com' }));
    expect(d.ok || d.refusal.code).toBe('unknown_code');
  });

  it.each(['paused', 'archived'] as const)('refuses referrals while the campaign is %s', (campaignStatus) => {
    const d = decideReferral(facts({ campaignStatus }));
    expect(d).toEqual({ ok: false, refusal: { code: 'campaign_paused', message: 'This referral campaign is not accepting referrals right now.' } });
  });

  it('checks the campaign status before self-referral', () => {
    const d = decideReferral(facts({ campaignStatus: 'paused', leadEmail: ann.email }));
    expect(d.ok || d.refusal.code).toBe('campaign_paused');
  });

  it('refuses a referrer referring their own email', () => {
    expect(decideReferral(facts({ leadEmail: 'ann@example.com' }))).toEqual({ ok: false, refusal: { code: 'self_referral', message: 'You cannot refer yourself.' } });
  });

  it('refuses self-referral by identity even when the referrer has no email on file (erased or CRM-only)', () => {
    const d = decideReferral(facts({ referrer: { id: 'ann', email: null }, leadEmail: 'ann@old.example', existing: { id: 'ann', referredById: null } }));
    expect(d.ok || d.refusal.code).toBe('self_referral');
  });

  it('does not treat a referrer without an email as matching every lead', () => {
    expect(decideReferral(facts({ referrer: { id: 'ann', email: null } }))).toEqual({ ok: true, existingParticipantId: null });
  });

  it('keeps the credit with the first referrer when the person was already referred', () => {
    const d = decideReferral(facts({ existing: { id: 'bob', referredById: 'someone-else' } }));
    expect(d).toEqual({
      ok: false,
      refusal: { code: 'already_referred', message: 'This person has already been referred; the first referral keeps the credit.', existingParticipantId: 'bob' },
    });
  });

  it('refuses a referral loop: someone up the referrer’s chain cannot be referred back', () => {
    const d = decideReferral(facts({ existing: { id: 'bob', referredById: null }, referrerAncestry: ['carol', 'bob'] }));
    expect(d).toEqual({ ok: false, refusal: { code: 'referral_loop', message: 'This person referred the referrer, so they cannot be referred back.' } });
  });

  it('turns an existing referrer nobody referred into this referrer’s lead', () => {
    expect(decideReferral(facts({ existing: { id: 'bob', referredById: null }, referrerAncestry: ['carol'] }))).toEqual({ ok: true, existingParticipantId: 'bob' });
  });

  it('reports "already referred" rather than a loop when both hold (the first referral is what the user must hear about)', () => {
    const d = decideReferral(facts({ existing: { id: 'bob', referredById: 'carol' }, referrerAncestry: ['bob'] }));
    expect(d.ok || d.refusal.code).toBe('already_referred');
  });
});
