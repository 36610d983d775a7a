// Who may be referred by whom. Pure: the caller loads the facts, this decides.

export type ReferralRefusal =
  | { code: 'unknown_code'; message: string }
  | { code: 'campaign_paused'; message: string }
  | { code: 'self_referral'; message: string }
  | { code: 'referral_loop'; message: string }
  | { code: 'already_referred'; message: string; existingParticipantId: string }
  | { code: 'already_participant'; message: string; existingParticipantId: string };

export interface ReferralFacts {
  campaignStatus: 'active' | 'paused' | 'archived';
  /** the participant whose code was used; null when the code matches nobody in the campaign */
  referrer: { id: string; email: string | null } | null;
  /** normalised email of the person being referred */
  leadEmail: string;
  /** the person already in the campaign with that email, if any */
  existing: { id: string; referredById: string | null } | null;
  /**
   * ids up the referrer's chain (who referred the referrer, and so on), nearest first. A loop
   * exists when the lead is somewhere up that chain.
   */
  referrerAncestry: string[];
}

/**
 * `ok` with `existingParticipantId` when the person is already in the campaign as a referrer that
 * nobody referred: they become this referrer's lead (first referrer keeps the credit, so only if
 * nobody referred them before).
 */
export type ReferralDecision =
  | { ok: true; existingParticipantId: string | null }
  | { ok: false; refusal: ReferralRefusal };

export function decideReferral(f: ReferralFacts): ReferralDecision {
  if (!f.referrer) return refuse({ code: 'unknown_code', message: 'This referral code does not exist.' });
  if (f.campaignStatus !== 'active') {
    return refuse({ code: 'campaign_paused', message: 'This referral campaign is not accepting referrals right now.' });
  }
  if (f.referrer.email !== null && f.referrer.email === f.leadEmail) {
    return refuse({ code: 'self_referral', message: 'You cannot refer yourself.' });
  }
  if (f.existing) {
    if (f.existing.id === f.referrer.id) return refuse({ code: 'self_referral', message: 'You cannot refer yourself.' });
    if (f.existing.referredById !== null) {
      return refuse({
        code: 'already_referred',
        message: 'This person has already been referred; the first referral keeps the credit.',
        existingParticipantId: f.existing.id,
      });
    }
    if (f.referrerAncestry.includes(f.existing.id)) {
      return refuse({ code: 'referral_loop', message: 'This person referred the referrer, so they cannot be referred back.' });
    }
    return { ok: true, existingParticipantId: f.existing.id };
  }
  return { ok: true, existingParticipantId: null };
}

const refuse = (refusal: ReferralRefusal): ReferralDecision => ({ ok: false, refusal });
