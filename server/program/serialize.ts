import type { Campaign, Participant, Reward } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { referralLink } from '../../shared/codes.ts';

// The public JSON shapes of the REST API and outbound webhooks (snake_case, ISO timestamps).

export function participantJson(ctx: Pick<AppContext, 'config'>, p: Participant, campaign: Pick<Campaign, 'landingUrl'>) {
  return {
    id: p.id,
    campaign_id: p.campaignId,
    email: p.email,
    first_name: p.firstName,
    last_name: p.lastName,
    code: p.code,
    link: referralLink(ctx.config.publicUrl, p.code, campaign.landingUrl),
    referred_by_id: p.referredById,
    lead_status: p.leadStatus,
    status_changed_at: p.statusChangedAt?.toISOString() ?? null,
    status_reason: p.statusReason,
    status_source: p.statusSource,
    source: p.source,
    custom_fields: p.customFields,
    erased: p.erasedAt !== null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
export type ParticipantJson = ReturnType<typeof participantJson>;

export function rewardJson(r: Reward) {
  return {
    id: r.id,
    campaign_id: r.campaignId,
    lead_id: r.leadId,
    recipient_id: r.recipientId,
    rule_id: r.ruleId,
    description: r.description,
    amount_cents: r.amountCents,
    currency: r.currency,
    status: r.status,
    issued_at: r.issuedAt.toISOString(),
    voided_at: r.voidedAt?.toISOString() ?? null,
  };
}

export function campaignJson(ctx: Pick<AppContext, 'config'>, c: Campaign) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    landing_url: c.landingUrl,
    join_url: `${ctx.config.publicUrl}/r/`,
    reward_rules: c.rewardRules,
    qualification_rules: c.qualificationRules,
    settings: c.settings,
    field_mapping: c.fieldMapping,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
