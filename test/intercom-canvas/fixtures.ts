// ContactView fixtures for the canvas tests: one builder per state the inbox app can show.
import type { CampaignOption, ContactView, Enrolment, LeadRow, LeadSection, LeadStatus } from '../../shared/view-model.ts';

export const CAMPAIGN: CampaignOption = { id: 'cmp_1', name: 'Spring referrals', status: 'active' };
export const OTHER_CAMPAIGN: CampaignOption = { id: 'cmp_2', name: 'Partners', status: 'paused' };

export function lead(n: number, status: LeadStatus = 'pending', over: Partial<LeadRow> = {}): LeadRow {
  return {
    participantId: `par_lead_${n}`,
    name: `Lead ${n}`,
    email: `lead${n}@example.com`,
    status,
    referredAt: '2026-03-01T10:00:00.000Z',
    statusChangedAt: status === 'pending' ? null : '2026-03-05T10:00:00.000Z',
    ...over,
  };
}

export function leadSection(status: LeadStatus = 'pending', over: Partial<LeadSection> = {}): LeadSection {
  return {
    status,
    referredBy: { participantId: 'par_ref', name: 'Rita Referrer', email: 'rita@example.com' },
    referredAt: '2026-03-01T10:00:00.000Z',
    statusChangedAt: status === 'pending' ? null : '2026-03-04T10:00:00.000Z',
    statusReason: status === 'unqualified' ? 'existing customer' : null,
    statusSource: status === 'pending' ? null : 'HubSpot deal stage',
    ...over,
  };
}

export function enrolment(leads: LeadRow[] = [], lead: LeadSection | null = null, moreLeads = 0): Enrolment {
  const count = (s: LeadStatus) => leads.filter((l) => l.status === s).length;
  return {
    participantId: 'par_self',
    name: 'Jane Doe',
    referrer: {
      code: 'JANE42',
      link: 'https://app.refcard.example/r/JANE42',
      stats: {
        referrals: leads.length + moreLeads,
        qualified: count('qualified'),
        pending: count('pending'),
        unqualified: count('unqualified'),
        rewardsEarned: count('qualified'),
        rewardsLabel: count('qualified') ? `$${50 * count('qualified')} (${count('qualified')} rewards)` : 'none yet',
      },
      leads,
      moreLeads,
    },
    lead,
  };
}

export function view(over: Partial<ContactView> = {}): ContactView {
  return {
    contact: { crmId: 'ic_contact_1', email: 'jane@example.com', name: 'Jane Doe' },
    campaigns: [CAMPAIGN],
    campaign: CAMPAIGN,
    enrolment: null,
    consoleUrl: 'https://app.refcard.example/admin/contacts/ic_contact_1',
    notice: null,
    ...over,
  };
}

/** Every state the card and canvas must handle, by name. */
export const STATES: Record<string, ContactView> = {
  'not enrolled': view(),
  'not enrolled, no email': view({ contact: { crmId: 'ic_2', email: null, name: 'No Mail' } }),
  'no campaign': view({ campaigns: [], campaign: null }),
  'referrer without leads': view({ enrolment: enrolment() }),
  'referrer with leads': view({ enrolment: enrolment([lead(1), lead(2, 'qualified'), lead(3, 'unqualified')]) }),
  'lead pending': view({ enrolment: enrolment([], leadSection('pending')) }),
  'lead qualified': view({ enrolment: enrolment([], leadSection('qualified')) }),
  'lead unqualified': view({ enrolment: enrolment([], leadSection('unqualified')) }),
  'referrer and lead': view({ enrolment: enrolment([lead(1), lead(2, 'qualified')], leadSection('pending')) }),
  'several campaigns': view({ campaigns: [CAMPAIGN, OTHER_CAMPAIGN], enrolment: enrolment([lead(1)]) }),
  'success notice': view({ enrolment: enrolment([lead(1, 'qualified')]), notice: { type: 'success', message: 'Lead 1 qualified' } }),
  'danger notice': view({ notice: { type: 'danger', message: 'Could not qualify: lead was erased' } }),
  'more leads than shown': view({ enrolment: enrolment(Array.from({ length: 10 }, (_, i) => lead(i)), null, 37) }),
  'huge lead list': view({ enrolment: enrolment(Array.from({ length: 5000 }, (_, i) => lead(i)), null, 1_000_000) }),
  'hostile names': view({
    contact: { crmId: 'ic_3', email: 'x_y*z@[evil](https://evil.example)', name: '**Boss** [click](https://evil.example) <img src=x>' },
    campaign: { id: 'cmp_h', name: '# _Free_ ~money~ `now`', status: 'active' },
    campaigns: [{ id: 'cmp_h', name: '# _Free_ ~money~ `now`', status: 'active' }, CAMPAIGN],
    enrolment: enrolment(
      [lead(1, 'pending', { name: '[x](javascript:alert(1))', email: 'a_b@example.com' }), lead(2, 'qualified', { name: 'x'.repeat(100_000) })],
      leadSection('unqualified', { referredBy: { participantId: 'p', name: '*bold*\n# heading', email: null }, statusReason: '__why__' }),
    ),
    notice: { type: 'warning', message: '1. [Phish](https://evil.example) **now** https://evil.example' },
  }),
};
