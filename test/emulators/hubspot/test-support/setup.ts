import { Client } from '@hubspot/api-client';
import { createHubspotEmulator, type HubspotEmulator, type HubspotEmulatorOptions, type RegisteredApp, type Tokens } from '../index.ts';
import type { Portal } from '../state.ts';

// A listening emulator with one app installed in one portal and an SDK client for it — the
// starting point of nearly every test in this folder.

export const ALL_SCOPES = [
  'oauth',
  'crm.objects.contacts.read', 'crm.objects.contacts.write',
  'crm.objects.deals.read', 'crm.objects.deals.write',
  'crm.schemas.contacts.write', 'crm.schemas.deals.write',
  'crm.lists.read', 'crm.lists.write',
  'crm.objects.owners.read',
];

/** Never contacted: the OAuth redirect only has to be a URL the app declared. */
export const REDIRECT = 'http://127.0.0.1:9/oauth/hubspot/callback';

export interface Harness {
  emu: HubspotEmulator;
  url: string;
  app: RegisteredApp;
  portal: Portal;
  portalId: number;
  tokens: Tokens;
  client: Client;
  /** A second client for the same token (the SDK's retry settings are per client). */
  clientWith(config: ConstructorParameters<typeof Client>[0]): Client;
}

export async function startHarness(opts: HubspotEmulatorOptions & { scopes?: string[] } = {}): Promise<Harness> {
  const emu = createHubspotEmulator({ rateLimits: false, ...opts });
  const url = await emu.listen();
  const app = emu.registerApp({ name: 'Refcard test', redirectUrls: [REDIRECT], scopes: opts.scopes ?? ALL_SCOPES, permittedFetchOrigins: [] });
  const portal = emu.createPortal();
  const tokens = emu.issueTokens(app.appId, portal.portalId);
  const client = new Client({ accessToken: tokens.accessToken, basePath: url });
  return {
    emu, url, app, portal, portalId: portal.portalId, tokens, client,
    clientWith: (config) => new Client({ accessToken: tokens.accessToken, basePath: url, ...config }),
  };
}

/** Runs `fn` and returns the ApiException (or whatever it threw); fails if nothing was thrown. */
export async function rejection(fn: () => Promise<unknown>): Promise<{ code: number; body: any; headers: Record<string, string> }> {
  try {
    await fn();
  } catch (e) {
    return e as { code: number; body: any; headers: Record<string, string> };
  }
  throw new Error('expected the call to fail');
}
