// A canvas for every way the inbox app can fail to show a contact. Intercom shows a bare
// "Something went wrong" for non-2xx or invalid responses, so the server answers with one of
// these instead (always HTTP 200).

import { refreshButton } from './buttons.ts';
import { OPEN_CONSOLE_ID } from './component-ids.ts';
import { shrinkToFit } from './limits.ts';
import type { CanvasStoredData } from './stored-data.ts';
import { escapeMarkdown, isWebUrl, MAX_LEN } from './text.ts';
import type { Canvas, CanvasComponent } from './types.ts';

export type CanvasErrorKind = 'unknown_contact' | 'no_email' | 'disconnected' | 'no_campaign' | 'not_installed' | 'error';

export interface CanvasError {
  kind: CanvasErrorKind;
  /** extra detail shown under the standard text (escaped, clipped) */
  message?: string;
  /** adds an "Open Refcard" button where the fix lives in the console */
  consoleUrl?: string;
}

const TEXT: Record<CanvasErrorKind, { text: string; style: 'muted' | 'error'; console: string | null }> = {
  unknown_contact: { text: 'Refcard can’t see this contact yet. Try again in a moment.', style: 'muted', console: null },
  no_email: { text: 'This contact has no email address, so they can’t join a referral program yet.', style: 'muted', console: null },
  disconnected: { text: 'Refcard is disconnected from this workspace. An admin needs to reconnect it.', style: 'error', console: 'Reconnect in Refcard' },
  no_campaign: { text: 'There is no referral campaign yet.', style: 'muted', console: 'Create a campaign in Refcard' },
  not_installed: { text: 'Refcard isn’t set up for this workspace yet. An admin can install it from the Intercom App Store.', style: 'muted', console: null },
  error: { text: 'Referrals couldn’t be loaded.', style: 'error', console: null },
};

export function renderErrorCanvas(error: CanvasError, stored?: CanvasStoredData): Canvas {
  const known = TEXT[error.kind] ?? TEXT.error;
  const components: CanvasComponent[] = [
    { type: 'text', style: 'header', text: 'Referrals' },
    { type: 'text', style: known.style, text: known.text },
  ];
  const detail = escapeMarkdown(error.message, MAX_LEN.message);
  if (detail) components.push({ type: 'text', style: 'muted', text: detail });
  if (known.console && isWebUrl(error.consoleUrl)) {
    components.push({ type: 'button', id: OPEN_CONSOLE_ID, label: known.console, style: 'secondary', action: { type: 'url', url: error.consoleUrl } });
  }
  components.push(refreshButton(error.kind === 'error' ? 'Try again' : 'Refresh'));
  return shrinkToFit(stored ? { content: { components }, stored_data: { ...stored } } : { content: { components } });
}
