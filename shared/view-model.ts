// The one view of a CRM contact that both the HubSpot card and the Intercom canvas render.
// Built by the server from PostgreSQL only (no CRM calls on this path), so it stays fast.

export type LeadStatus = 'pending' | 'qualified' | 'unqualified';

export interface CampaignOption {
  id: string;
  name: string;
  status: 'active' | 'paused' | 'archived';
}

export interface ReferralStats {
  /** people this participant referred */
  referrals: number;
  qualified: number;
  pending: number;
  unqualified: number;
  /** number of rewards issued and not voided */
  rewardsEarned: number;
  /** human text for the rewards, e.g. "$150 (3 rewards)" or "none yet" */
  rewardsLabel: string;
}

export interface LeadRow {
  participantId: string;
  name: string | null;
  email: string;
  status: LeadStatus;
  /** ISO-8601 */
  referredAt: string;
  /** ISO-8601, when the status last changed */
  statusChangedAt: string | null;
}

export interface ReferrerSection {
  code: string;
  link: string;
  stats: ReferralStats;
  /** newest first, at most `LEADS_SHOWN` */
  leads: LeadRow[];
  /** how many more leads exist beyond `leads` */
  moreLeads: number;
}

export interface LeadSection {
  status: LeadStatus;
  referredBy: { participantId: string; name: string | null; email: string | null };
  /** ISO-8601 */
  referredAt: string;
  statusChangedAt: string | null;
  statusReason: string | null;
  /** where the last status change came from, e.g. "HubSpot deal stage" */
  statusSource: string | null;
}

export interface Enrolment {
  participantId: string;
  name: string | null;
  referrer: ReferrerSection;
  /** present when this person was referred by someone */
  lead: LeadSection | null;
}

export interface Notice {
  type: 'success' | 'info' | 'warning' | 'danger';
  message: string;
}

export interface ContactView {
  contact: { crmId: string; email: string | null; name: string | null };
  /** the account's campaigns a rep may pick from (active and paused) */
  campaigns: CampaignOption[];
  /** the campaign the view is about; null when the account has none */
  campaign: CampaignOption | null;
  /** null: the contact is not in the selected campaign (show Enrol) */
  enrolment: Enrolment | null;
  /** link to this contact in the Refcard console */
  consoleUrl: string;
  /** the result of the action that produced this view, if any */
  notice: Notice | null;
}

export const LEADS_SHOWN = 10;

/** What the card's and the canvas's buttons ask the server to do. */
export type ContactAction =
  | { action: 'qualify'; campaignId: string; participantId: string; reason?: string }
  | { action: 'unqualify'; campaignId: string; participantId: string; reason?: string }
  | { action: 'enrol'; campaignId: string }
  | { action: 'select_campaign'; campaignId: string }
  | { action: 'refresh'; campaignId?: string };

/** What the HubSpot app's settings page shows (GET /hubspot/settings). */
export interface SettingsView {
  account: { id: string; name: string };
  connection: { portalId: number; status: 'connected' | 'disconnected'; reason: string | null; lastWebhookAt: string | null };
  campaigns: { id: string; name: string; status: CampaignOption['status']; referrers: number; leads: number; qualified: number }[];
  syncs: { id: string; campaignId: string; source: string; mode: 'once' | 'ongoing'; state: string; done: number; total: number | null; failed: number }[];
  consoleUrl: string;
}
