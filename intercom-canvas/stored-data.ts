// What a canvas remembers between requests. Intercom hands `stored_data` back unchanged in the
// next submit's `current_canvas`, which is how the submit route knows the contact and campaign
// without another lookup. It is a hint, not a credential: the server still checks the contact
// against the signed request and the participant against the account.

import type { ContactView } from '../shared/view-model.ts';

export interface CanvasStoredData {
  /** the contact the canvas shows (ContactView.contact.crmId) */
  contactId: string;
  /** the campaign shown; null when the account has none */
  campaignId: string | null;
  /** the contact's own participant in that campaign, when enrolled */
  participantId?: string;
}

export function buildStoredData(view: ContactView): CanvasStoredData {
  const stored: CanvasStoredData = { contactId: view.contact.crmId, campaignId: view.campaign?.id ?? null };
  if (view.enrolment) stored.participantId = view.enrolment.participantId;
  return stored;
}

/** Reads stored_data back, or null when it isn't ours (missing, tampered, another app version). */
export function parseStoredData(value: unknown): CanvasStoredData | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { contactId, campaignId, participantId } = value as Record<string, unknown>;
  if (typeof contactId !== 'string' || !contactId) return null;
  if (campaignId !== null && (typeof campaignId !== 'string' || !campaignId)) return null;
  if (participantId !== undefined && (typeof participantId !== 'string' || !participantId)) return null;
  const stored: CanvasStoredData = { contactId, campaignId };
  if (participantId !== undefined) stored.participantId = participantId;
  return stored;
}
