// The only way the card and the settings page talk to the Refcard server. Marketplace apps have
// no serverless functions, so everything goes through hubspot.fetch, which HubSpot signs
// (X-HubSpot-Signature-v3) and the server verifies.

import { hubspot } from '@hubspot/ui-extensions';
import { API_BASE, FETCH_TIMEOUT_MS } from './config.ts';
import type { ContactAction, ContactView, SettingsView } from './types.ts';

/** A failed call, with a message fit to show a HubSpot user. `status` 0 = no answer at all. */
export class RefcardApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RefcardApiError';
  }
}

/** GET /hubspot/card: the view of one contact, in `campaignId` or the account's default campaign. */
export function loadContactView(contactId: string, campaignId?: string): Promise<ContactView> {
  const query = new URLSearchParams({ contactId });
  if (campaignId) query.set('campaignId', campaignId);
  return call<ContactView>(`${API_BASE}/hubspot/card?${query.toString()}`, { method: 'GET' });
}

/** POST /hubspot/card/actions: runs a button's action and answers the contact's new view. */
export function sendCardAction(contactId: string, action: ContactAction): Promise<ContactView> {
  return call<ContactView>(`${API_BASE}/hubspot/card/actions`, { method: 'POST', body: { contactId, ...action } });
}

/** GET /hubspot/settings: what the app's settings page shows. */
export function loadSettings(): Promise<SettingsView> {
  return call<SettingsView>(`${API_BASE}/hubspot/settings`, { method: 'GET' });
}

async function call<T>(url: string, init: { method: 'GET' | 'POST'; body?: Record<string, unknown> }): Promise<T> {
  let response: Response;
  try {
    response = await hubspot.fetch(url, { ...init, timeout: FETCH_TIMEOUT_MS });
  } catch {
    // timeouts, HubSpot's 20-requests concurrency cap, no network: nothing useful to show
    throw new RefcardApiError('Refcard could not be reached. Try again in a moment.', 0);
  }
  if (!response.ok) throw new RefcardApiError(await problemMessage(response), response.status);
  try {
    return (await response.json()) as T;
  } catch {
    throw new RefcardApiError('Refcard sent an answer the card could not read.', response.status);
  }
}

/** The server answers errors as RFC 9457 problem+json; `detail` is the specific message. */
async function problemMessage(response: Response): Promise<string> {
  try {
    const problem = (await response.json()) as { detail?: unknown; title?: unknown };
    for (const text of [problem.detail, problem.title]) {
      if (typeof text === 'string' && text.trim()) return text.trim();
    }
  } catch {
    // not JSON (a proxy's HTML error page, an empty body)
  }
  return `Refcard answered with an error (HTTP ${response.status}).`;
}
