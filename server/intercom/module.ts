import { Hono } from 'hono';
import type { ProviderModule } from '../providers.ts';

// Wiring of the Intercom folder into the app. (Being built: routes and jobs land here.)
export const intercomProvider: ProviderModule = {
  provider: 'intercom',
  routes: () => new Hono(),
  push: async () => {},
  applyInbox: async () => {},
  runSync: async () => {},
  tick: async () => {},
};
