import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CampaignSettingsSchema,
  defaultCampaignSettings,
  defaultFieldMapping,
  FieldMappingSchema,
  HUBSPOT_PROPERTIES,
  InboundMappingRowSchema,
  INTERCOM_ATTRIBUTES,
  OutboundMappingRowSchema,
  PARTICIPANT_FIELDS,
  QualificationRuleSchema,
  RewardRuleSchema,
} from '../../shared/campaign.ts';

/** The first refusal as "path: message", the shape the API's problem+json reports. */
function refusal(schema: z.ZodType, value: unknown): { field: string; message: string } {
  const r = schema.safeParse(value);
  expect(r.success, `expected ${JSON.stringify(value)} to be refused`).toBe(false);
  const issue = r.error!.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]!);
  return { field: path.join('.'), message: issue.message };
}

const rule = { id: 'bounty', name: '$50 per friend', recipient: 'referrer', amountCents: 5000, currency: 'USD' };

describe('RewardRuleSchema', () => {
  it('accepts a per-lead reward and defaults its trigger', () => {
    expect(RewardRuleSchema.parse(rule)).toEqual({ ...rule, trigger: 'per_qualified_lead' });
  });

  it('accepts a milestone for the referrer with a threshold', () => {
    expect(RewardRuleSchema.parse({ ...rule, trigger: 'milestone', threshold: 3 }).threshold).toBe(3);
  });

  it.each([
    ['a milestone without a threshold', { ...rule, trigger: 'milestone' }, 'threshold', /needs a threshold/],
    ['a milestone for the lead', { ...rule, trigger: 'milestone', threshold: 3, recipient: 'lead' }, 'recipient', /goes to the referrer/],
    ['an id with capitals', { ...rule, id: 'Bounty' }, 'id', /a-z, 0-9/],
    ['an id over 40 characters', { ...rule, id: 'a'.repeat(41) }, 'id', /1-40/],
    ['a blank name', { ...rule, name: '   ' }, 'name', /.+/],
    ['a lower-case currency', { ...rule, currency: 'usd' }, 'currency', /ISO 4217/],
    ['a negative amount', { ...rule, amountCents: -1 }, 'amountCents', /.+/],
    ['a fractional amount', { ...rule, amountCents: 12.5 }, 'amountCents', /int/i],
    ['an amount above a million', { ...rule, amountCents: 100_000_001 }, 'amountCents', /.+/],
    ['a zero threshold', { ...rule, trigger: 'milestone', threshold: 0 }, 'threshold', /.+/],
    ['an unknown recipient', { ...rule, recipient: 'friend' }, 'recipient', /.+/],
    ['an unknown trigger', { ...rule, trigger: 'on_signup' }, 'trigger', /.+/],
    ['an unknown key', { ...rule, percent: 10 }, 'percent', /.+/],
    ['a missing currency', { ...rule, currency: undefined }, 'currency', /.+/],
  ])('refuses %s, naming the field', (_, value, field, message) => {
    const r = refusal(RewardRuleSchema, value);
    expect(r.field).toBe(field);
    expect(r.message).toMatch(message);
  });
});

describe('QualificationRuleSchema', () => {
  it('accepts each of the four kinds', () => {
    for (const r of [
      { id: 'a', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' },
      { id: 'b', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' },
      { id: 'c', kind: 'intercom_tag', tagId: '1', tagName: 'Paying' },
      { id: 'd', kind: 'intercom_attribute', attribute: 'plan', value: '' },
    ]) {
      expect(QualificationRuleSchema.parse(r)).toEqual(r);
    }
  });

  it.each([
    ['an unknown kind', { id: 'a', kind: 'stripe_payment' }, 'kind'],
    ['a missing kind', { id: 'a', pipelineId: 'p', stageId: 's' }, 'kind'],
    ['a deal stage without a stage', { id: 'a', kind: 'hubspot_deal_stage', pipelineId: 'default' }, 'stageId'],
    ['an empty pipeline', { id: 'a', kind: 'hubspot_deal_stage', pipelineId: '', stageId: 's' }, 'pipelineId'],
    ['a property rule without a value', { id: 'a', kind: 'hubspot_contact_property', property: 'x' }, 'value'],
    ['a tag rule without a tag id', { id: 'a', kind: 'intercom_tag' }, 'tagId'],
    ['an attribute rule with a numeric value', { id: 'a', kind: 'intercom_attribute', attribute: 'n', value: 3 }, 'value'],
    ['a field of another kind', { id: 'a', kind: 'intercom_tag', tagId: '1', stageId: 's' }, 'stageId'],
    ['an empty id', { id: '', kind: 'intercom_tag', tagId: '1' }, 'id'],
  ])('refuses %s, naming the field', (_, value, field) => {
    expect(refusal(QualificationRuleSchema, value).field).toBe(field);
  });
});

describe('CampaignSettingsSchema', () => {
  it('defaults to creating or updating in HubSpot, creating Intercom leads, and asking for consent', () => {
    expect(defaultCampaignSettings()).toEqual({ hubspotNewParticipants: 'create_or_update', intercomNewParticipants: 'lead', requireConsent: true });
  });

  it.each([
    [{ hubspotNewParticipants: 'create_deal' }, 'hubspotNewParticipants'],
    [{ intercomNewParticipants: 'contact' }, 'intercomNewParticipants'],
    [{ requireConsent: 'yes' }, 'requireConsent'],
    [{ sendEmails: true }, 'sendEmails'],
  ])('refuses %j, naming the field', (value, field) => {
    expect(refusal(CampaignSettingsSchema, value).field).toBe(field);
  });
});

describe('field mapping schemas', () => {
  it('accepts the default mapping, which writes every HubSpot property and Intercom attribute Refcard creates', () => {
    const m = FieldMappingSchema.parse(defaultFieldMapping());
    expect(m.hubspot.outbound.map((r) => r.target)).toEqual(HUBSPOT_PROPERTIES.map((p) => p.name));
    expect(m.intercom.outbound.map((r) => r.target)).toEqual(INTERCOM_ATTRIBUTES.map((a) => a.name));
    expect(m.hubspot.inbound).toEqual([
      { source: 'firstname', target: 'first_name' },
      { source: 'lastname', target: 'last_name' },
    ]);
  });

  it('names only real participant fields in the HubSpot properties and Intercom attributes', () => {
    for (const p of [...HUBSPOT_PROPERTIES, ...INTERCOM_ATTRIBUTES]) expect(PARTICIPANT_FIELDS).toContain(p.field);
    for (const p of HUBSPOT_PROPERTIES) expect(p.name).toMatch(/^refcard_[a-z_]+$/);
  });

  it.each([
    ['an unknown participant field', { target: 'x', source: { kind: 'field', field: 'password' } }, 'source.field'],
    ['an unknown source kind', { target: 'x', source: { kind: 'formula', value: '1+1' } }, 'source.kind'],
    ['an empty target', { target: '', source: { kind: 'fixed', value: 'Referral' } }, 'target'],
    ['a fixed value over 1000 characters', { target: 'x', source: { kind: 'fixed', value: 'v'.repeat(1001) } }, 'source.value'],
  ])('refuses an outbound row with %s', (_, value, field) => {
    expect(refusal(OutboundMappingRowSchema, value).field).toBe(field);
  });

  it.each([
    ['writes the email (the identity never comes from a CRM)', { source: 'email', target: 'email' }, 'target'],
    ['writes an upper-case custom field', { source: 'x', target: 'custom.Company' }, 'target'],
    ['has no source', { target: 'first_name' }, 'source'],
  ])('refuses an inbound row that %s', (_, value, field) => {
    expect(refusal(InboundMappingRowSchema, value).field).toBe(field);
  });

  it('refuses more than 50 rows per direction, naming the list', () => {
    const m = defaultFieldMapping();
    const rows = Array.from({ length: 51 }, (_, i) => ({ target: `t${i}`, source: { kind: 'fixed' as const, value: 'v' } }));
    expect(refusal(FieldMappingSchema, { ...m, intercom: { ...m.intercom, outbound: rows } }).field).toBe('intercom.outbound');
  });

  it('refuses a mapping missing a provider', () => {
    expect(refusal(FieldMappingSchema, { hubspot: defaultFieldMapping().hubspot }).field).toBe('intercom');
  });
});
