import { z } from 'zod';

// Campaign configuration: one zod schema per piece gives the API's validation, the OpenAPI
// document and the TypeScript types, and the database stores the parsed value as JSON.

export const RewardRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be 1-40 characters of a-z, 0-9, _ or -'),
    name: z.string().trim().min(1).max(120),
    /** who receives it */
    recipient: z.enum(['referrer', 'lead']),
    /**
     * `per_qualified_lead`: one reward for every qualified lead;
     * `milestone`: one reward when the referrer's qualified leads reach `threshold`.
     */
    trigger: z.enum(['per_qualified_lead', 'milestone']).default('per_qualified_lead'),
    threshold: z.number().int().min(1).max(100_000).optional(),
    amountCents: z.number().int().min(0).max(100_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  })
  .strict()
  .refine((r) => r.trigger !== 'milestone' || r.threshold !== undefined, {
    message: 'a milestone reward needs a threshold',
    path: ['threshold'],
  })
  .refine((r) => r.trigger !== 'milestone' || r.recipient === 'referrer', {
    message: 'a milestone reward goes to the referrer',
    path: ['recipient'],
  });
export type RewardRule = z.infer<typeof RewardRuleSchema>;

export const QualificationRuleSchema = z.discriminatedUnion('kind', [
  z.object({ id: z.string().min(1).max(40), kind: z.literal('hubspot_deal_stage'), pipelineId: z.string().min(1), stageId: z.string().min(1) }).strict(),
  z.object({ id: z.string().min(1).max(40), kind: z.literal('hubspot_contact_property'), property: z.string().min(1), value: z.string() }).strict(),
  z.object({ id: z.string().min(1).max(40), kind: z.literal('intercom_tag'), tagId: z.string().min(1), tagName: z.string().optional() }).strict(),
  z.object({ id: z.string().min(1).max(40), kind: z.literal('intercom_attribute'), attribute: z.string().min(1), value: z.string() }).strict(),
]);
export type QualificationRule = z.infer<typeof QualificationRuleSchema>;

export const CampaignSettingsSchema = z
  .object({
    /** what to do in HubSpot when someone joins through Refcard (landing page, API, Intercom) */
    hubspotNewParticipants: z.enum(['nothing', 'create', 'create_or_update']).default('create_or_update'),
    /** Intercom: create a lead, a user, or nothing; an existing email is always updated, never duplicated */
    intercomNewParticipants: z.enum(['nothing', 'lead', 'user']).default('lead'),
    /** the landing form asks for consent to be contacted */
    requireConsent: z.boolean().default(true),
  })
  .strict();
export type CampaignSettings = z.infer<typeof CampaignSettingsSchema>;

/** Values Refcard can write into a CRM property/attribute. */
export const PARTICIPANT_FIELDS = [
  'referral_link',
  'referral_code',
  'referrals',
  'qualified_referrals',
  'pending_referrals',
  'rewards_earned',
  'referral_status',
  'referred_by_email',
  'referred_by_name',
  'campaign_name',
  'first_name',
  'last_name',
  'email',
] as const;
export type ParticipantField = (typeof PARTICIPANT_FIELDS)[number];

export const OutboundMappingRowSchema = z
  .object({
    target: z.string().min(1).max(100),
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('field'), field: z.enum(PARTICIPANT_FIELDS) }).strict(),
      z.object({ kind: z.literal('fixed'), value: z.string().max(1000) }).strict(),
    ]),
  })
  .strict();
export type OutboundMappingRow = z.infer<typeof OutboundMappingRowSchema>;

/** CRM field → participant field, used when contacts are synced in. */
export const InboundMappingRowSchema = z
  .object({
    source: z.string().min(1).max(100),
    target: z.union([z.enum(['first_name', 'last_name']), z.string().regex(/^custom\.[a-z0-9_]{1,40}$/)]),
  })
  .strict();
export type InboundMappingRow = z.infer<typeof InboundMappingRowSchema>;

const ProviderMappingSchema = z
  .object({ outbound: z.array(OutboundMappingRowSchema).max(50), inbound: z.array(InboundMappingRowSchema).max(50) })
  .strict();

export const FieldMappingSchema = z.object({ hubspot: ProviderMappingSchema, intercom: ProviderMappingSchema }).strict();
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

/** The properties Refcard creates in every HubSpot portal at install (group `refcard`). */
export const HUBSPOT_PROPERTIES: { name: string; label: string; field: ParticipantField; type: 'string' | 'number' }[] = [
  { name: 'refcard_referral_link', label: 'Referral link', field: 'referral_link', type: 'string' },
  { name: 'refcard_referral_code', label: 'Referral code', field: 'referral_code', type: 'string' },
  { name: 'refcard_referrals', label: 'Referrals', field: 'referrals', type: 'number' },
  { name: 'refcard_qualified_referrals', label: 'Qualified referrals', field: 'qualified_referrals', type: 'number' },
  { name: 'refcard_rewards_earned', label: 'Referral rewards earned', field: 'rewards_earned', type: 'number' },
  { name: 'refcard_referred_by', label: 'Referred by', field: 'referred_by_email', type: 'string' },
  { name: 'refcard_referral_status', label: 'Referral status', field: 'referral_status', type: 'string' },
  { name: 'refcard_campaign', label: 'Referral campaign', field: 'campaign_name', type: 'string' },
];

/** The contact data attributes Refcard creates in every Intercom workspace at install. */
export const INTERCOM_ATTRIBUTES: { name: string; label: string; field: ParticipantField; type: 'string' | 'integer' }[] = [
  { name: 'referral_link', label: 'Referral link', field: 'referral_link', type: 'string' },
  { name: 'referral_code', label: 'Referral code', field: 'referral_code', type: 'string' },
  { name: 'referrals_count', label: 'Referrals', field: 'referrals', type: 'integer' },
  { name: 'qualified_referrals_count', label: 'Qualified referrals', field: 'qualified_referrals', type: 'integer' },
  { name: 'rewards_earned', label: 'Referral rewards earned', field: 'rewards_earned', type: 'integer' },
  { name: 'referred_by', label: 'Referred by', field: 'referred_by_email', type: 'string' },
  { name: 'referral_status', label: 'Referral status', field: 'referral_status', type: 'string' },
];

export function defaultFieldMapping(): FieldMapping {
  return {
    hubspot: {
      outbound: HUBSPOT_PROPERTIES.map((p) => ({ target: p.name, source: { kind: 'field' as const, field: p.field } })),
      inbound: [
        { source: 'firstname', target: 'first_name' },
        { source: 'lastname', target: 'last_name' },
      ],
    },
    intercom: {
      outbound: INTERCOM_ATTRIBUTES.map((a) => ({ target: a.name, source: { kind: 'field' as const, field: a.field } })),
      inbound: [],
    },
  };
}

export function defaultCampaignSettings(): CampaignSettings {
  return CampaignSettingsSchema.parse({});
}
