import type { LeadStatus } from './view-model.ts';

// The lead status machine: pending → qualified ↔ unqualified (a pending lead may also be
// unqualified directly). Repeating a transition is a no-op, so a replayed webhook or a double
// click changes nothing.

export const SOURCES = {
  api: 'API',
  hubspot_card: 'HubSpot card',
  hubspot_deal_stage: 'HubSpot deal stage',
  hubspot_contact_property: 'HubSpot contact property',
  intercom_inbox: 'Intercom inbox',
  intercom_tag: 'Intercom tag',
  intercom_attribute: 'Intercom attribute',
  admin: 'Admin console',
  landing: 'Referral page',
  sync: 'CRM sync',
  system: 'Refcard',
} as const;
export type Source = keyof typeof SOURCES;

export type LeadTransition =
  | { changed: false; why: 'not_a_lead' | 'already_qualified' | 'already_unqualified' }
  | { changed: true; from: LeadStatus; to: LeadStatus };

export function transitionLead(current: LeadStatus | null, action: 'qualify' | 'unqualify'): LeadTransition {
  if (current === null) return { changed: false, why: 'not_a_lead' };
  const to: LeadStatus = action === 'qualify' ? 'qualified' : 'unqualified';
  if (current === to) return { changed: false, why: to === 'qualified' ? 'already_qualified' : 'already_unqualified' };
  return { changed: true, from: current, to };
}
