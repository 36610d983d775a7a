// Reading Intercom's initialize/submit bodies, which differ between Intercom's own sources
// (see intercom-platform.md §2.2), and turning a submit into what the server should do.

import type { ContactAction } from '../shared/view-model.ts';
import { CAMPAIGN_PICKER_ID, parseComponentId, REASON_INPUT_ID } from './component-ids.ts';
import { parseStoredData, type CanvasStoredData } from './stored-data.ts';
import { cleanText, MAX_LEN } from './text.ts';
import type { CanvasKitContact, InitializeRequest, SubmitRequest } from './types.ts';

/** The contact being viewed: `contact` (OpenAPI, SDK) or `customer` (HTML docs, Rails sample). */
export function requestContact(body: InitializeRequest): CanvasKitContact | null {
  const contact = body.contact ?? body.customer;
  return contact && typeof contact === 'object' && typeof contact.id === 'string' && contact.id ? contact : null;
}

/** stored_data of the canvas the teammate clicked on, whichever nesting Intercom used. */
export function requestStoredData(body: SubmitRequest): CanvasStoredData | null {
  const current = body.current_canvas;
  if (!current || typeof current !== 'object') return null;
  return parseStoredData(current.stored_data ?? current.current_canvas?.stored_data);
}

/** What a submit asks the server to do. */
export type CanvasSubmit =
  /** run this ContactAction and answer renderContactCanvas(newView) */
  | { kind: 'action'; contactId: string; action: ContactAction }
  /** answer renderUnqualifyPrompt(view, participantId) */
  | { kind: 'unqualify_prompt'; contactId: string; campaignId: string; participantId: string }
  /** back to renderContactCanvas(view) */
  | { kind: 'cancel'; contactId: string; campaignId: string | null }
  /** not ours or incomplete (unknown id, lost stored_data, missing campaign): re-render from scratch */
  | { kind: 'invalid'; contactId: string | null; reason: string };

/**
 * Combines component_id, stored_data and input_values into one instruction. The contact id is the
 * signed request's contact; stored_data is used only when the request carries none.
 */
export function resolveSubmit(body: SubmitRequest): CanvasSubmit {
  const stored = requestStoredData(body);
  const contactId = requestContact(body)?.id ?? stored?.contactId ?? null;
  const intent = typeof body.component_id === 'string' ? parseComponentId(body.component_id) : null;
  if (!contactId) return { kind: 'invalid', contactId: null, reason: 'no contact in the request' };
  if (!intent) return { kind: 'invalid', contactId, reason: `unknown component ${String(body.component_id).slice(0, 100)}` };
  // a canvas shown for another contact (teammate switched contacts in a group conversation)
  if (stored && stored.contactId !== contactId) return { kind: 'invalid', contactId, reason: 'canvas belongs to another contact' };
  const campaignId = stored?.campaignId ?? null;
  const inputs = body.input_values ?? {};

  switch (intent.action) {
    case 'refresh':
      return { kind: 'action', contactId, action: campaignId ? { action: 'refresh', campaignId } : { action: 'refresh' } };
    case 'cancel':
      return { kind: 'cancel', contactId, campaignId };
    case 'select_campaign': {
      const picked = inputs[CAMPAIGN_PICKER_ID];
      if (typeof picked !== 'string' || !picked) return { kind: 'invalid', contactId, reason: 'no campaign picked' };
      return { kind: 'action', contactId, action: { action: 'select_campaign', campaignId: picked } };
    }
  }
  if (!campaignId) return { kind: 'invalid', contactId, reason: 'no campaign on the canvas' };
  switch (intent.action) {
    case 'enrol':
      return { kind: 'action', contactId, action: { action: 'enrol', campaignId } };
    case 'qualify':
      return { kind: 'action', contactId, action: { action: 'qualify', campaignId, participantId: intent.participantId } };
    case 'unqualify_prompt':
      return { kind: 'unqualify_prompt', contactId, campaignId, participantId: intent.participantId };
    case 'unqualify': {
      const raw = inputs[REASON_INPUT_ID];
      const reason = typeof raw === 'string' ? cleanText(raw, MAX_LEN.reason) : '';
      const action: ContactAction = { action: 'unqualify', campaignId, participantId: intent.participantId };
      if (reason) action.reason = reason;
      return { kind: 'action', contactId, action };
    }
  }
}
