import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { createHubspotEmulator, type HubspotEmulator } from '../../test/emulators/hubspot/index.ts';
import { createIntercomEmulator, demoFixture, type IntercomEmulator } from '../../test/emulators/intercom/index.ts';
import { accounts, apiKeys, appMeta } from '../db/schema.ts';
import { accountForApiKey, createAccount, createApiKey } from '../program/accounts.ts';
import { createCampaign } from '../program/campaigns.ts';
import { systemActor } from '../program/actor.ts';
import { findConnection } from '../platform/connections.ts';
import { DEMO_PORTAL_ID, DEMO_WORKSPACE_ID, demoPortalFixture } from './demo-data.ts';
import { connectThroughInstall } from './connect.ts';
import { seedDemoProgram } from './demo-program.ts';

/** What sandbox mode runs beside the app; the console's /sandbox pages drive it. */
export interface Sandbox {
  hubspot: HubspotEmulator;
  intercom: IntercomEmulator;
  hubspotApp: { appId: number; clientId: string; clientSecret: string };
  intercomApp: { clientId: string; clientSecret: string };
  portalId: number;
  workspaceId: string;
  account: { id: string; apiKey: string };
  campaignId: string;
  close(): Promise<void>;
}

interface Credentials {
  hubspot: { appId: number; clientId: string; clientSecret: string };
  intercom: { clientId: string; clientSecret: string };
}

/**
 * Phase one of sandbox mode, before the app boots: both emulators on 127.0.0.1 with a demo portal
 * and workspace (their state persists under DATA_DIR/sandbox, so a restart finds the same ids and
 * tokens), app credentials generated once, and the settings pointed at them.
 */
export async function startSandboxEmulators(config: Config) {
  const dir = join(config.dataDir, 'sandbox');
  mkdirSync(dir, { recursive: true });
  const creds = loadOrCreate<Credentials>(join(dir, 'credentials.json'), () => ({
    hubspot: { appId: 100_000 + Math.floor(Math.random() * 800_000), clientId: uuidish(), clientSecret: uuidish() },
    intercom: { clientId: uuidish(), clientSecret: randomBytes(20).toString('hex') },
  }));
  const pub = config.publicUrl;

  const hubspot = createHubspotEmulator({ stateFile: join(dir, 'hubspot.json') });
  const hubspotBase = await hubspot.listen(0);
  hubspot.registerApp({
    ...creds.hubspot,
    name: 'Refcard (sandbox)',
    redirectUrls: [`${pub}/oauth/hubspot/callback`],
    scopes: hubspotScopes(),
    permittedFetchOrigins: [pub],
    webhooks: hubspotWebhooks(pub),
  });
  if (!hubspot.state.portals.has(DEMO_PORTAL_ID)) {
    hubspot.createPortal({ portalId: DEMO_PORTAL_ID, hubDomain: 'refcard-demo.test', users: [{ email: 'admin@refcard-demo.test', firstName: 'Sam', lastName: 'Admin' }] });
    hubspot.seedPortal(DEMO_PORTAL_ID, demoPortalFixture());
  }

  const intercom = createIntercomEmulator({ stateFile: join(dir, 'intercom.json') });
  const intercomBase = await intercom.listen(0);
  intercom.registerApp({
    ...creds.intercom,
    name: 'Refcard (sandbox)',
    redirectUrls: [`${pub}/oauth/intercom/callback`],
    initializeUrl: `${pub}/intercom/canvas/initialize`,
    submitUrl: `${pub}/intercom/canvas/submit`,
    webhookUrl: `${pub}/intercom/webhooks`,
    topics: ['contact.user.created', 'contact.lead.created', 'contact.user.tag.created', 'contact.lead.tag.created', 'contact.user.updated', 'contact.lead.updated'],
  });
  if (!intercom.workspaces().some((w) => w.idCode === DEMO_WORKSPACE_ID)) {
    intercom.createWorkspace({ idCode: DEMO_WORKSPACE_ID, name: 'Refcard Demo', timezone: 'Europe/London' });
    intercom.seedWorkspace(DEMO_WORKSPACE_ID, demoFixture());
  }

  const sandboxConfig: Config = {
    ...config,
    sandbox: true,
    hubspot: { ...creds.hubspot, apiBase: hubspotBase, authBase: hubspotBase },
    intercom: { ...creds.intercom, apiBase: intercomBase, authBase: intercomBase },
  };
  return {
    config: sandboxConfig,
    hubspot,
    intercom,
    creds,
    async close() {
      await Promise.allSettled([hubspot.close(), intercom.close()]);
    },
  };
}
export type SandboxEmulators = Awaited<ReturnType<typeof startSandboxEmulators>>;

/**
 * Phase two, once the app serves: the demo account (created once), its API key, the demo campaign,
 * the portal and workspace connected through the same install flow an admin clicks through, the
 * demo referrers and leads, and `.data/sandbox.json` for people and tests to pick up.
 */
export async function seedSandbox(ctx: AppContext, app: Hono, emu: SandboxEmulators): Promise<Sandbox> {
  const file = join(ctx.config.dataDir, 'sandbox.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { account?: { id: string; apiKey: string }; campaign?: { id: string } }) : null;
  const meta = (await ctx.db.select().from(appMeta).where(eq(appMeta.key, 'sandbox')))[0]?.value as { accountId: string; campaignId: string } | undefined;

  let accountId = meta?.accountId;
  let campaignId = meta?.campaignId;
  if (!accountId || !(await ctx.db.select().from(accounts).where(eq(accounts.id, accountId))).length) {
    const created = await ctx.db.transaction(async (tx) => {
      const account = await createAccount(tx, 'Refcard Demo Co.');
      const campaign = await createCampaign(tx, account.id, demoCampaign(emu), systemActor());
      await tx
        .insert(appMeta)
        .values({ key: 'sandbox', value: { accountId: account.id, campaignId: campaign.id } })
        .onConflictDoUpdate({ target: appMeta.key, set: { value: { accountId: account.id, campaignId: campaign.id } } });
      return { accountId: account.id, campaignId: campaign.id };
    });
    accountId = created.accountId;
    campaignId = created.campaignId;
  }

  // The key is only stored hashed; the sandbox file keeps the one shown at creation.
  let apiKey = previous?.account?.id === accountId ? previous.account.apiKey : undefined;
  if (!apiKey || (await accountForApiKey(ctx.db, apiKey))?.accountId !== accountId) {
    await ctx.db.delete(apiKeys).where(eq(apiKeys.accountId, accountId));
    apiKey = (await createApiKey(ctx.db, accountId, 'Sandbox key')).key;
  }

  if (!(await findConnection(ctx.db, 'hubspot', String(DEMO_PORTAL_ID)))) {
    await connectThroughInstall(ctx, app, accountId, 'hubspot', (url) => emu.hubspot.fetch(`${url}&auto=1`, { redirect: 'manual' }));
  }
  if (!(await findConnection(ctx.db, 'intercom', DEMO_WORKSPACE_ID))) {
    await connectThroughInstall(ctx, app, accountId, 'intercom', (url) => emu.intercom.fetch(`${url}&approve=1&workspace_id=${DEMO_WORKSPACE_ID}`, { redirect: 'manual' }));
  }
  await seedDemoProgram(ctx, emu, accountId, campaignId!);

  const sandbox: Sandbox = {
    hubspot: emu.hubspot,
    intercom: emu.intercom,
    hubspotApp: emu.creds.hubspot,
    intercomApp: emu.creds.intercom,
    portalId: DEMO_PORTAL_ID,
    workspaceId: DEMO_WORKSPACE_ID,
    account: { id: accountId, apiKey },
    campaignId: campaignId!,
    close: emu.close,
  };
  writeFileSync(file, JSON.stringify(sandboxFile(ctx, sandbox), null, 2) + '\n', { mode: 0o600 });
  return sandbox;
}

/** The contract's `.data/sandbox.json`: enough for a test or a curious user to drive everything. */
export function sandboxFile(ctx: AppContext, s: Sandbox) {
  const hsTokens = s.hubspot.issueTokens(s.hubspotApp.appId, s.portalId);
  const icToken = s.intercom.installApp(s.intercomApp.clientId, s.workspaceId).accessToken;
  return {
    publicUrl: ctx.config.publicUrl,
    account: s.account,
    campaign: { id: s.campaignId },
    hubspot: {
      apiBase: ctx.config.hubspot!.apiBase,
      authBase: ctx.config.hubspot!.authBase,
      appId: s.hubspotApp.appId,
      clientId: s.hubspotApp.clientId,
      clientSecret: s.hubspotApp.clientSecret,
      portalId: s.portalId,
      accessToken: hsTokens.accessToken,
    },
    intercom: {
      apiBase: ctx.config.intercom!.apiBase,
      authBase: ctx.config.intercom!.authBase,
      clientId: s.intercomApp.clientId,
      clientSecret: s.intercomApp.clientSecret,
      workspaceId: s.workspaceId,
      accessToken: icToken,
    },
  };
}

function demoCampaign(emu: SandboxEmulators) {
  const tag = emu.intercom.tags(DEMO_WORKSPACE_ID).find((t) => t.name === 'Customer');
  return {
    name: 'Refer a friend',
    rewardRules: [
      { id: 'friend-bonus', name: '$50 for each friend who becomes a customer', recipient: 'referrer' as const, trigger: 'per_qualified_lead' as const, amountCents: 5000, currency: 'USD' },
      { id: 'welcome', name: '$25 welcome credit', recipient: 'lead' as const, trigger: 'per_qualified_lead' as const, amountCents: 2500, currency: 'USD' },
    ],
    qualificationRules: [
      { id: 'deal-won', kind: 'hubspot_deal_stage' as const, pipelineId: 'default', stageId: 'closedwon' },
      ...(tag ? [{ id: 'tagged-customer', kind: 'intercom_tag' as const, tagId: tag.id, tagName: tag.name }] : []),
    ],
  };
}

function hubspotScopes(): string[] {
  const meta = JSON.parse(readFileSync(new URL('../../hubspot-app/src/app/app-hsmeta.json', import.meta.url), 'utf8'));
  return meta.config.auth.requiredScopes;
}

function hubspotWebhooks(publicUrl: string) {
  const meta = JSON.parse(readFileSync(new URL('../../hubspot-app/src/app/webhooks/webhooks-hsmeta.json', import.meta.url), 'utf8'));
  return { targetUrl: `${publicUrl}/hubspot/webhooks`, maxConcurrentRequests: meta.config.settings.maxConcurrentRequests, subscriptions: meta.config.subscriptions };
}

function loadOrCreate<T>(file: string, make: () => T): T {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = make();
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  return value;
}

const uuidish = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
