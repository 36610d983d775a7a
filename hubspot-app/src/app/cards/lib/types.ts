// The Refcard server's answers, as the card and the settings page read them.
// A copy of shared/view-model.ts (this folder is uploaded to HubSpot on its own and may import
// nothing outside it). test/hubspot-app/view-model-types.test.ts fails if the two drift.

export type LeadStatus = 'pending' | 'qualified' | 'unqualified';

export interface CampaignOption {
  id: string;
  name: string;
  status: 'active' | 'paused' | 'archived';
}

export interface ReferralStats {
  referrals: number;
  qualified: number;
  pending: number;
  unqualified: number;
  rewardsEarned: number;
  rewardsLabel: string;
}

export interface LeadRow {
  participantId: string;
  name: string | null;
  email: string;
  status: LeadStatus;
  referredAt: string;
  statusChangedAt: string | null;
}

export interface ReferrerSection {
  code: string;
  link: string;
  stats: ReferralStats;
  leads: LeadRow[];
  moreLeads: number;
}

export interface LeadSection {
  status: LeadStatus;
  referredBy: { participantId: string; name: string | null; email: string | null };
  referredAt: string;
  statusChangedAt: string | null;
  statusReason: string | null;
  statusSource: string | null;
}

export interface Enrolment {
  participantId: string;
  name: string | null;
  referrer: ReferrerSection;
  lead: LeadSection | null;
}

export interface Notice {
  type: 'success' | 'info' | 'warning' | 'danger';
  message: string;
}

export interface ContactView {
  contact: { crmId: string; email: string | null; name: string | null };
  campaigns: CampaignOption[];
  campaign: CampaignOption | null;
  enrolment: Enrolment | null;
  consoleUrl: string;
  notice: Notice | null;
}

export type ContactAction =
  | { action: 'qualify'; campaignId: string; participantId: string; reason?: string }
  | { action: 'unqualify'; campaignId: string; participantId: string; reason?: string }
  | { action: 'enrol'; campaignId: string }
  | { action: 'select_campaign'; campaignId: string }
  | { action: 'refresh'; campaignId?: string };

export interface SettingsView {
  account: { id: string; name: string };
  connection: { portalId: number; status: 'connected' | 'disconnected'; reason: string | null; lastWebhookAt: string | null };
  campaigns: { id: string; name: string; status: CampaignOption['status']; referrers: number; leads: number; qualified: number }[];
  syncs: { id: string; campaignId: string; source: string; mode: 'once' | 'ongoing'; state: string; done: number; total: number | null; failed: number }[];
  consoleUrl: string;
}
