import type { Hono } from 'hono';
import type { AppContext } from './context.ts';
import type { Connection } from './db/schema.ts';
import type { Provider } from './platform/connections.ts';
import { hubspotProvider } from './hubspot/module.ts';
import { intercomProvider } from './intercom/module.ts';

/**
 * What each CRM folder plugs into the app: its routes and the work its jobs do. The app and the
 * job handlers know only this shape, so a provider's code stays inside its own folder.
 */
export interface ProviderModule {
  provider: Provider;
  /** mounted at the root (OAuth, card/canvas, webhooks) */
  routes(ctx: AppContext): Hono;
  /** push pending property/attribute changes (crm_push_queue rows) of one connection */
  push(ctx: AppContext, connection: Connection): Promise<void>;
  /** apply stored inbound webhook events of one connection */
  applyInbox(ctx: AppContext, connection: Connection): Promise<void>;
  /** run or resume one sync (sync_runs row) */
  runSync(ctx: AppContext, syncRunId: string): Promise<void>;
  /** periodic work: ongoing syncs due, tokens near expiry */
  tick(ctx: AppContext): Promise<void>;
}

export const PROVIDERS: Record<Provider, ProviderModule> = {
  hubspot: hubspotProvider,
  intercom: intercomProvider,
};
