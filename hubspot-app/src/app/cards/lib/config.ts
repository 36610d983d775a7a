// Where the card and the settings page reach the Refcard server. HubSpot only lets
// `hubspot.fetch` call origins listed in app-hsmeta.json's permittedUrls.fetch, so this must
// match that list (a test checks it); `hs project dev` maps it to localhost through local.json.
//
// HubSpot builds each extension point (cards/, settings/) on its own and leaves out files above
// it, so this lib/ folder exists once per extension point; test/hubspot-app checks the copies
// are identical.
export const API_BASE = 'https://app.refcard.example';

/** hubspot.fetch waits 15 s by default; our card answers from PostgreSQL in well under that. */
export const FETCH_TIMEOUT_MS = 15_000;
