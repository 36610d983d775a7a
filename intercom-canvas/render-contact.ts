// The first canvas an agent sees for a contact: the ContactView rendered as Canvas Kit JSON.
// Most relevant first (notice, status, link, numbers), then the actions; about 400 px when
// nothing is unusual, as Intercom asks for the first inbox canvas.

import type { CampaignOption, ContactView, Enrolment, LeadRow, LeadStatus, Notice } from '../shared/view-model.ts';
import { refreshButton } from './buttons.ts';
import { CAMPAIGN_PICKER_ID, componentIdFor, OPEN_CONSOLE_ID, OPEN_LINK_ID } from './component-ids.ts';
import { CANVAS_LEADS_SHOWN, SELECT_MAX_OPTIONS, shrinkToFit } from './limits.ts';
import { renderErrorCanvas } from './render-error.ts';
import { buildStoredData } from './stored-data.ts';
import { escapeMarkdown, isoDate, isWebUrl, MAX_LEN, plainText } from './text.ts';
import type {
  ButtonComponent,
  Canvas,
  CanvasComponent,
  DataTableItem,
  ListItem,
  SingleSelectComponent,
  TextComponent,
} from './types.ts';

export const STATUS_LABEL: Record<LeadStatus, string> = {
  pending: 'Pending',
  qualified: 'Qualified',
  unqualified: 'Unqualified',
};

export function renderContactCanvas(view: ContactView): Canvas {
  const stored = buildStoredData(view);
  if (!view.campaign) return renderErrorCanvas({ kind: 'no_campaign', consoleUrl: view.consoleUrl }, stored);

  const components: CanvasComponent[] = [];
  const notice = view.notice ? noticeText(view.notice) : null;
  if (notice) components.push(notice);
  components.push(headerText(view.campaign));
  if (view.enrolment) components.push(...enrolledComponents(view, view.enrolment));
  else components.push(...notEnrolledComponents(view));
  const picker = campaignPicker(view.campaigns, view.campaign);
  if (picker) components.push(picker);
  components.push(refreshButton());
  return shrinkToFit({ content: { components }, stored_data: { ...stored } });
}

/** The result of the last action, at the top; null when there is nothing to say. */
export function noticeText(notice: Notice): TextComponent | null {
  const text = escapeMarkdown(notice.message, MAX_LEN.message);
  if (!text) return null;
  const bad = notice.type === 'danger' || notice.type === 'warning';
  return { type: 'text', text, style: bad ? 'error' : 'muted' };
}

function headerText(campaign: CampaignOption): TextComponent {
  const paused = campaign.status === 'active' ? '' : ` (${campaign.status})`;
  return { type: 'text', text: `Referrals · ${escapeMarkdown(campaign.name, MAX_LEN.campaign)}${paused}`, style: 'header' };
}

function notEnrolledComponents(view: ContactView): CanvasComponent[] {
  // The server enrols by email, so without one there is nothing to offer.
  if (!view.contact.email) {
    return [{ type: 'text', style: 'muted', text: 'This contact has no email address, so they can’t join a referral program yet.' }];
  }
  const who = escapeMarkdown(view.contact.name ?? view.contact.email, MAX_LEN.name);
  return [
    { type: 'text', style: 'muted', text: `${who} isn’t in this campaign yet.` },
    {
      type: 'button',
      id: componentIdFor({ action: 'enrol' }),
      label: 'Enrol as referrer',
      style: 'primary',
      action: { type: 'submit' },
    },
  ];
}

function enrolledComponents(view: ContactView, enrolment: Enrolment): CanvasComponent[] {
  const { referrer, lead } = enrolment;
  const rows: DataTableItem[] = [];
  if (lead) {
    const by = lead.referredBy;
    rows.push(field('Referred by', plainText(by.name ?? by.email, MAX_LEN.name, 'Unknown')));
    const since = isoDate(lead.statusChangedAt ?? lead.referredAt);
    rows.push(field('Lead status', since ? `${STATUS_LABEL[lead.status]} since ${since}` : STATUS_LABEL[lead.status]));
    if (lead.statusReason) rows.push(field('Reason', plainText(lead.statusReason, MAX_LEN.reason)));
  }
  const { stats } = referrer;
  rows.push(field('Referral link', plainText(referrer.link, MAX_LEN.link)));
  rows.push(field('Referrals', stats.pending > 0 ? `${stats.referrals} (${stats.pending} pending)` : String(stats.referrals)));
  rows.push(field('Qualified', String(stats.qualified)));
  rows.push(field('Rewards', plainText(stats.rewardsLabel, MAX_LEN.message)));

  const components: CanvasComponent[] = [{ type: 'data-table', items: rows }];
  if (lead) components.push(...leadButtons(enrolment.participantId, lead.status));
  if (isWebUrl(referrer.link)) {
    components.push({ type: 'button', id: OPEN_LINK_ID, label: 'Open referral link', style: 'secondary', action: { type: 'url', url: referrer.link } });
  }
  components.push(...leadList(view, enrolment));
  return components;
}

/** Qualify/Unqualify for the contact itself when someone referred them. */
function leadButtons(participantId: string, status: LeadStatus): ButtonComponent[] {
  const buttons: ButtonComponent[] = [];
  if (status !== 'qualified') {
    buttons.push({ type: 'button', id: componentIdFor({ action: 'qualify', participantId }), label: 'Qualify lead', style: 'primary', action: { type: 'submit' } });
  }
  if (status !== 'unqualified') {
    // goes through the reason prompt first
    buttons.push({ type: 'button', id: componentIdFor({ action: 'unqualify_prompt', participantId }), label: 'Unqualify lead…', style: 'secondary', action: { type: 'submit' } });
  }
  return buttons;
}

/** The people this contact referred; clicking one qualifies it (or asks to unqualify it). */
function leadList(view: ContactView, enrolment: Enrolment): CanvasComponent[] {
  // Component ids must be unique on a canvas: skip repeated rows and the contact itself.
  const seen = new Set<string>([enrolment.participantId]);
  const leads: LeadRow[] = [];
  for (const lead of enrolment.referrer.leads) {
    if (!lead.participantId || seen.has(lead.participantId)) continue;
    seen.add(lead.participantId);
    leads.push(lead);
  }
  if (leads.length === 0) return [];
  const shown = leads.slice(0, CANVAS_LEADS_SHOWN);
  const more = leads.length - shown.length + Math.max(0, enrolment.referrer.moreLeads);
  const components: CanvasComponent[] = [
    { type: 'text', style: 'muted', text: 'Their referrals', bottom_margin: 'none' },
    { type: 'list', items: shown.map(leadItem) },
  ];
  if (more > 0) {
    components.push({ type: 'text', style: 'muted', text: `+${more} more` });
    if (isWebUrl(view.consoleUrl)) {
      components.push({ type: 'button', id: OPEN_CONSOLE_ID, label: 'See all in Refcard', style: 'link', action: { type: 'url', url: view.consoleUrl } });
    }
  }
  return components;
}

function leadItem(lead: LeadRow): ListItem {
  const qualified = lead.status === 'qualified';
  const item: ListItem = {
    type: 'item',
    id: componentIdFor(qualified ? { action: 'unqualify_prompt', participantId: lead.participantId } : { action: 'qualify', participantId: lead.participantId }),
    title: plainText(lead.name ?? lead.email, MAX_LEN.name, '(no name)'),
    tertiary_text: `${STATUS_LABEL[lead.status]} · ${qualified ? 'click to unqualify' : 'click to qualify'}`,
    action: { type: 'submit' },
  };
  const subtitle = lead.name ? plainText(lead.email, MAX_LEN.email, '') : '';
  if (subtitle) item.subtitle = subtitle;
  return item;
}

/** Shown only when there is a choice; picking a campaign submits at once. */
function campaignPicker(campaigns: CampaignOption[], current: CampaignOption): SingleSelectComponent | null {
  const unique = new Map<string, CampaignOption>();
  for (const campaign of [current, ...campaigns]) if (campaign.id && !unique.has(campaign.id)) unique.set(campaign.id, campaign);
  if (unique.size < 2) return null;
  // single-select takes 2–10 options; the current campaign is first in the map, so it always stays
  const options = [...unique.values()].slice(0, SELECT_MAX_OPTIONS).sort((a, b) => campaigns.indexOf(a) - campaigns.indexOf(b));
  return {
    type: 'single-select',
    id: CAMPAIGN_PICKER_ID,
    label: 'Campaign',
    value: current.id,
    options: options.map((campaign) => ({
      type: 'option',
      id: campaign.id,
      text: plainText(campaign.name, MAX_LEN.campaign) + (campaign.status === 'active' ? '' : ` (${campaign.status})`),
    })),
    action: { type: 'submit' },
  };
}

function field(name: string, value: string): DataTableItem {
  return { type: 'field-value', field: name, value };
}
