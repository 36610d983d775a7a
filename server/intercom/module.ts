import { Hono } from 'hono';
import type { ProviderModule } from '../providers.ts';
import { oauthRoutes } from './oauth.ts';
import { canvasRoutes } from './canvas-routes.ts';
import { webhookRoutes } from './webhooks.ts';
import { pushAttributes } from './attribute-sync.ts';
import { applyIntercomInbox } from './apply-events.ts';
import { runIntercomSync } from './segment-sync.ts';
import { intercomTick } from './tick.ts';

// Wiring of the Intercom folder into the app: the app-store install, the inbox app's canvas,
// webhook intake, and the jobs (attribute push, webhook apply, segment sync, minute tick).
export const intercomProvider: ProviderModule = {
  provider: 'intercom',
  routes: (ctx) => {
    const app = new Hono();
    app.route('/', oauthRoutes(ctx));
    app.route('/', canvasRoutes(ctx));
    app.route('/', webhookRoutes(ctx));
    return app;
  },
  push: pushAttributes,
  applyInbox: applyIntercomInbox,
  runSync: runIntercomSync,
  tick: intercomTick,
};
