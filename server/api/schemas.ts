import { z } from '@hono/zod-openapi';
import { EmailSchema } from '../../shared/email.ts';
import {
  CampaignSettingsSchema,
  FieldMappingSchema,
  QualificationRuleSchema,
  RewardRuleSchema,
} from '../../shared/campaign.ts';
import { EVENT_TYPES } from '../program/events.ts';

// Request and response bodies of REST API v1: validation and the OpenAPI document come from here.

/**
 * A custom message for a value of the wrong type or format. zod applies a schema's `error` to every
 * check, so without this a missing field or an over-long one would also be told "must be a UUID".
 */
const unlessMissing = (message: string) => (issue: { code?: string; input?: unknown }) =>
  issue.input === undefined ? 'is required' : issue.code === 'invalid_type' || issue.code === 'invalid_format' ? message : undefined;

export const Uuid = z.uuid({ error: unlessMissing('must be a UUID') });
const Name = z.string().trim().max(100, 'must be at most 100 characters');
const CustomFields = z
  .record(z.string().regex(/^[a-z0-9_]{1,40}$/, 'custom field names are 1-40 characters of a-z, 0-9 or _'), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, 'at most 50 custom fields');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    field: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  })
  .openapi('Problem');

export const CampaignCreateSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(120),
    status: z.enum(['active', 'paused', 'archived']).optional(),
    landing_url: z.url({ protocol: /^https?$/, error: unlessMissing('must be an http(s) URL') }).max(2000).nullable().optional(),
    reward_rules: z.array(RewardRuleSchema).max(20).optional(),
    qualification_rules: z.array(QualificationRuleSchema).max(20).optional(),
    settings: CampaignSettingsSchema.partial().optional(),
    field_mapping: FieldMappingSchema.optional(),
  })
  .strict()
  .openapi('CampaignCreate');

export const CampaignPatchSchema = CampaignCreateSchema.partial().strict().openapi('CampaignPatch');

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'paused', 'archived']),
    landing_url: z.string().nullable(),
    join_url: z.string(),
    reward_rules: z.array(RewardRuleSchema),
    qualification_rules: z.array(QualificationRuleSchema),
    settings: CampaignSettingsSchema,
    field_mapping: FieldMappingSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Campaign');

export const CampaignStatsSchema = z
  .object({
    participants: z.number().int(),
    referrers: z.number().int(),
    leads: z.number().int(),
    pending: z.number().int(),
    qualified: z.number().int(),
    unqualified: z.number().int(),
    rewards: z.object({
      issued: z.number().int(),
      voided: z.number().int(),
      totals: z.array(z.object({ status: z.string(), currency: z.string(), amount_cents: z.number().int(), count: z.number().int() })),
    }),
  })
  .openapi('CampaignStats');

export const StatsSchema = z
  .object({
    referrals: z.number().int(),
    qualified: z.number().int(),
    pending: z.number().int(),
    unqualified: z.number().int(),
    rewards_earned: z.number().int(),
    rewards_label: z.string(),
  })
  .openapi('ParticipantStats');

export const ParticipantSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    email: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    code: z.string(),
    link: z.string(),
    referred_by_id: z.string().nullable(),
    lead_status: z.enum(['pending', 'qualified', 'unqualified']).nullable(),
    status_changed_at: z.string().nullable(),
    status_reason: z.string().nullable(),
    status_source: z.string().nullable(),
    source: z.string(),
    custom_fields: z.record(z.string(), z.unknown()),
    erased: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    stats: StatsSchema.optional(),
  })
  .openapi('Participant');

export const ReferrerCreateSchema = z
  .object({
    campaign_id: Uuid,
    email: EmailSchema,
    first_name: Name.nullable().optional(),
    last_name: Name.nullable().optional(),
    custom_fields: CustomFields.optional(),
  })
  .strict()
  .openapi('ReferrerCreate');

export const LeadCreateSchema = z
  .object({
    campaign_id: Uuid,
    email: EmailSchema,
    referral_code: z.string().trim().min(1, 'is required').max(40),
    first_name: Name.nullable().optional(),
    last_name: Name.nullable().optional(),
    custom_fields: CustomFields.optional(),
  })
  .strict()
  .openapi('LeadCreate');

export const QualifySchema = z
  .object({
    campaign_id: Uuid,
    id: Uuid.optional(),
    email: EmailSchema.optional(),
    referral_code: z.string().trim().min(1).max(40).optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((b) => [b.id, b.email, b.referral_code].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of id, email or referral_code',
    path: ['id'],
  })
  .openapi('QualifyRequest');

export const RewardSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    lead_id: z.string(),
    recipient_id: z.string(),
    rule_id: z.string(),
    description: z.string(),
    amount_cents: z.number().int(),
    currency: z.string(),
    status: z.enum(['due', 'paid', 'voided']),
    issued_at: z.string(),
    voided_at: z.string().nullable(),
  })
  .openapi('Reward');

export const QualifyResultSchema = z
  .object({
    lead: ParticipantSchema,
    changed: z.boolean(),
    why_unchanged: z.string().nullable(),
    rewards_issued: z.array(RewardSchema),
    rewards_voided: z.array(z.string()),
  })
  .openapi('QualifyResult');

export const ParticipantPatchSchema = z
  .object({ first_name: Name.nullable().optional(), last_name: Name.nullable().optional(), custom_fields: CustomFields.optional() })
  .strict()
  .openapi('ParticipantPatch');

export const ParticipantListQuery = z.object({
  campaign_id: Uuid,
  status: z.enum(['referrer', 'pending', 'qualified', 'unqualified']).optional(),
  search: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a number' : undefined) }).int('must be a whole number').min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const WebhookEndpointCreateSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: unlessMissing('must be an http(s) URL') }).max(2000),
    description: z.string().trim().max(200).optional(),
    events: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
  })
  .strict()
  .openapi('WebhookEndpointCreate');

export const WebhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    created_at: z.string(),
    /** only in the answer to the POST that created it */
    secret: z.string().optional(),
  })
  .openapi('WebhookEndpoint');
