import { Hono } from 'hono';
import type { ProviderModule } from '../providers.ts';
import { applyHubspotInbox } from './apply-events.ts';
import { cardRoutes } from './card-routes.ts';
import { runContactSync } from './contact-sync.ts';
import { installRoutes } from './install.ts';
import { pushProperties } from './property-sync.ts';
import { settingsRoutes } from './settings-route.ts';
import { hubspotTick } from './tick.ts';
import { webhookRoutes } from './webhooks.ts';

// Wiring of the HubSpot folder into the app: install, card, settings and webhook routes, and the
// work of the CRM jobs. Without HubSpot credentials the routes answer 503 and the jobs find nothing.

export const hubspotProvider: ProviderModule = {
  provider: 'hubspot',
  routes: (ctx) => {
    const app = new Hono();
    app.route('/', installRoutes(ctx));
    app.route('/', cardRoutes(ctx));
    app.route('/', settingsRoutes(ctx));
    app.route('/', webhookRoutes(ctx));
    return app;
  },
  push: (ctx, connection) => pushProperties(ctx, connection),
  applyInbox: (ctx, connection) => applyHubspotInbox(ctx, connection),
  runSync: (ctx, syncRunId) => runContactSync(ctx, syncRunId),
  tick: (ctx) => hubspotTick(ctx),
};

export { connectPortal } from './install.ts';
