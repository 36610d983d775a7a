import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { HubspotAppConfig } from '../config.ts';

// The HubSpot developer project (hubspot-app/) is the one place that declares the app's scopes and
// webhook subscriptions; HubSpot refuses an install whose authorize URL asks for anything else.
// Reading them from there means an edit to the project can never drift from what the server asks.

const AppMetaSchema = z.object({
  config: z.object({
    auth: z.object({
      requiredScopes: z.array(z.string()).min(1),
      optionalScopes: z.array(z.string()).default([]),
    }),
  }),
});

const SubscriptionSchema = z.object({
  subscriptionType: z.string(),
  objectType: z.string().optional(),
  propertyName: z.string().optional(),
  active: z.boolean().optional(),
});

const WebhooksMetaSchema = z.object({
  config: z.object({
    settings: z.object({ targetUrl: z.string(), maxConcurrentRequests: z.number().optional() }),
    subscriptions: z.object({
      crmObjects: z.array(SubscriptionSchema).default([]),
      legacyCrmObjects: z.array(SubscriptionSchema).default([]),
      hubEvents: z.array(SubscriptionSchema).default([]),
    }),
  }),
});

const projectFile = (path: string) => new URL(`../../hubspot-app/src/app/${path}`, import.meta.url);

let scopes: { required: string[]; optional: string[] } | null = null;

/** The scopes the authorize URL asks for, exactly as app-hsmeta.json declares them. */
export function appScopes(): { required: string[]; optional: string[] } {
  if (!scopes) {
    const meta = AppMetaSchema.parse(JSON.parse(readFileSync(projectFile('app-hsmeta.json'), 'utf8')));
    scopes = { required: meta.config.auth.requiredScopes, optional: meta.config.auth.optionalScopes };
  }
  return scopes;
}

/** webhooks-hsmeta.json's subscriptions (what HubSpot will send us); used by tests and the sandbox. */
export function webhookSubscriptions(): z.infer<typeof WebhooksMetaSchema>['config']['subscriptions'] {
  return WebhooksMetaSchema.parse(JSON.parse(readFileSync(projectFile('webhooks/webhooks-hsmeta.json'), 'utf8'))).config.subscriptions;
}

export function hubspotConfig(ctx: Pick<AppContext, 'config'>): HubspotAppConfig {
  if (!ctx.config.hubspot) throw new Error('HubSpot is not configured (HUBSPOT_CLIENT_ID / HUBSPOT_CLIENT_SECRET)');
  return ctx.config.hubspot;
}

export const CALLBACK_PATH = '/oauth/hubspot/callback';
export const WEBHOOK_PATH = '/hubspot/webhooks';

export const callbackUrl = (ctx: Pick<AppContext, 'config'>) => `${ctx.config.publicUrl}${CALLBACK_PATH}`;
export const webhookTargetUrl = (ctx: Pick<AppContext, 'config'>) => `${ctx.config.publicUrl}${WEBHOOK_PATH}`;
