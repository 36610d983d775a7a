import { inArray } from 'drizzle-orm';
import { participants, type Campaign, type Participant } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { referralLink } from '../../shared/codes.ts';
import type { ParticipantValues } from '../../shared/mapping.ts';
import { statsFor } from './stats.ts';
import { fullName } from './contact-view.ts';

/**
 * Everything a field mapping can write for a batch of participants, in three queries whatever the
 * batch size: stats and referrers are loaded for all of them at once.
 */
export async function participantValues(
  ctx: Pick<AppContext, 'config'>,
  q: Queryable,
  people: Participant[],
  campaignsById: Map<string, Campaign>,
): Promise<Map<string, ParticipantValues>> {
  const stats = await statsFor(q, people.map((p) => p.id));
  const referrerIds = [...new Set(people.map((p) => p.referredById).filter((id): id is string => !!id))];
  const referrers = referrerIds.length ? await q.select().from(participants).where(inArray(participants.id, referrerIds)) : [];
  const referrerById = new Map(referrers.map((r) => [r.id, r]));
  const out = new Map<string, ParticipantValues>();
  for (const p of people) {
    const s = stats.get(p.id)!;
    const campaign = campaignsById.get(p.campaignId);
    const by = p.referredById ? referrerById.get(p.referredById) : undefined;
    out.set(p.id, {
      referral_link: referralLink(ctx.config.publicUrl, p.code, campaign?.landingUrl ?? null),
      referral_code: p.code,
      referrals: s.referrals,
      qualified_referrals: s.qualified,
      pending_referrals: s.pending,
      rewards_earned: s.rewardsEarned,
      // a referred person's lead status; someone who only refers is a "referrer"
      referral_status: p.leadStatus ?? 'referrer',
      referred_by_email: by?.email ?? null,
      referred_by_name: by ? fullName(by) : null,
      campaign_name: campaign?.name ?? null,
      first_name: p.firstName,
      last_name: p.lastName,
      email: p.email,
    });
  }
  return out;
}
