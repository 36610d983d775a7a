import { randomBytes } from 'node:crypto';
import { CampaignCreateSchema } from '../../api/schemas.ts';
import type { Campaign } from '../../db/schema.ts';
import { RewardRuleSchema, type CampaignSettings, type RewardRule } from '../../../shared/campaign.ts';
import { isStorableText } from '../../http/json-body.ts';
import { field, type FormFields } from '../guard.ts';

// The campaign form as plain fields, and back: reward rules are numbered rows (r0_…, r1_…) so a
// browser without script can add one (the blank row) or remove any (its checkbox).

export interface RuleRow {
  id: string;
  name: string;
  recipient: string;
  trigger: string;
  threshold: string;
  amount: string;
  currency: string;
}

export interface CampaignFormValues {
  name: string;
  status: string;
  landingUrl: string;
  hubspotNewParticipants: string;
  intercomNewParticipants: string;
  requireConsent: boolean;
  rules: RuleRow[];
}

export type FormErrors = Record<string, string>;

export const MAX_RULE_ROWS = 20;

export function valuesOf(c: Campaign | null): CampaignFormValues {
  return {
    name: c?.name ?? '',
    status: c?.status ?? 'active',
    landingUrl: c?.landingUrl ?? '',
    hubspotNewParticipants: c?.settings.hubspotNewParticipants ?? 'create_or_update',
    intercomNewParticipants: c?.settings.intercomNewParticipants ?? 'lead',
    requireConsent: c?.settings.requireConsent ?? true,
    rules: (c?.rewardRules ?? []).map((r) => ({
      id: r.id,
      name: r.name,
      recipient: r.recipient,
      trigger: r.trigger,
      threshold: r.threshold ? String(r.threshold) : '',
      amount: (r.amountCents / 100).toFixed(2),
      currency: r.currency,
    })),
  };
}

/** Reads the posted form; returns what to save, or the values to show again with the errors. */
export function parseCampaignForm(form: FormFields):
  | { ok: true; input: { name: string; status: Campaign['status']; landingUrl: string | null; rewardRules: RewardRule[]; settings: CampaignSettings } }
  | { ok: false; values: CampaignFormValues; errors: FormErrors } {
  const values: CampaignFormValues = {
    name: field(form, 'name'),
    status: field(form, 'status'),
    landingUrl: field(form, 'landing_url'),
    hubspotNewParticipants: field(form, 'hubspot_new_participants'),
    intercomNewParticipants: field(form, 'intercom_new_participants'),
    requireConsent: field(form, 'require_consent') === 'on',
    rules: [],
  };
  const errors: FormErrors = {};
  const rewardRules: RewardRule[] = [];
  for (let i = 0; i < MAX_RULE_ROWS + 1; i++) {
    const row: RuleRow = {
      id: field(form, `r${i}_id`),
      name: field(form, `r${i}_name`),
      recipient: field(form, `r${i}_recipient`),
      trigger: field(form, `r${i}_trigger`),
      threshold: field(form, `r${i}_threshold`),
      amount: field(form, `r${i}_amount`),
      currency: field(form, `r${i}_currency`).toUpperCase(),
    };
    if (field(form, `r${i}_remove`) === 'on') continue;
    if (!row.name && !row.id) continue; // the blank row left blank
    values.rules.push(row);
    const at = `r${values.rules.length - 1}`;
    const cents = Math.round(Number(row.amount.replace(',', '.')) * 100);
    if (!row.name) errors[`${at}_name`] = 'Give the reward a name.';
    if (!/^\d+([.,]\d{1,2})?$/.test(row.amount) || !Number.isFinite(cents)) errors[`${at}_amount`] = 'Enter an amount such as 50 or 12.50.';
    const candidate = {
      id: row.id || newRuleId(row.name),
      name: row.name,
      recipient: row.recipient,
      trigger: row.trigger || 'per_qualified_lead',
      ...(row.trigger === 'milestone' ? { threshold: Number(row.threshold) } : {}),
      amountCents: cents,
      currency: row.currency,
    };
    const parsed = RewardRuleSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = `${at}_${String(issue.path[0] ?? 'name').replace('amountCents', 'amount')}`;
        errors[key] ??= sentence(issue.message);
      }
    } else rewardRules.push(parsed.data);
  }
  const parsed = CampaignCreateSchema.safeParse({
    name: values.name,
    status: values.status || 'active',
    landing_url: values.landingUrl || null,
    settings: {
      hubspotNewParticipants: values.hubspotNewParticipants || 'create_or_update',
      intercomNewParticipants: values.intercomNewParticipants || 'lead',
      requireConsent: values.requireConsent,
    },
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] === 'landing_url' ? 'landing_url' : issue.path[0] === 'settings' ? String(issue.path[1]) : String(issue.path[0] ?? 'name');
      errors[key] ??= sentence(issue.message);
    }
  }
  if (!isStorableText(values.name)) errors.name = 'The name contains a character that cannot be stored.';
  if (values.rules.some((r) => !isStorableText(r.name))) errors.r0_name ??= 'A reward name contains a character that cannot be stored.';
  if (!parsed.success || Object.keys(errors).length) return { ok: false, values, errors };
  const d = parsed.data;
  return {
    ok: true,
    input: {
      name: d.name,
      status: d.status ?? 'active',
      landingUrl: d.landing_url ?? null,
      rewardRules,
      settings: { hubspotNewParticipants: 'create_or_update', intercomNewParticipants: 'lead', requireConsent: true, ...d.settings },
    },
  };
}

function newRuleId(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30) || 'reward';
  return `${slug}-${randomBytes(3).toString('hex')}`;
}

const sentence = (m: string) => {
  const s = m.replace(/^Invalid input: /, '');
  return s.charAt(0).toUpperCase() + s.slice(1) + (s.endsWith('.') ? '' : '.');
};
