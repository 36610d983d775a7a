import { Hono } from 'hono';
import type { ProviderModule } from '../providers.ts';

// Wiring of the Hubspot folder into the app. (Being built: routes and jobs land here.)
export const hubspotProvider: ProviderModule = {
  provider: 'hubspot',
  routes: () => new Hono(),
  push: async () => {},
  applyInbox: async () => {},
  runSync: async () => {},
  tick: async () => {},
};
