import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../../server/db/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The whole journey of a newcomer, in real Chromium against `npm start` in sandbox mode (no
// HubSpot or Intercom credentials, so both run emulated on 127.0.0.1): sign in, connect both CRMs,
// create a campaign, map its fields, sync a list to 100%, open a contact in the sandbox, copy the
// referral link, sign a friend up on the landing page, move the friend's deal, and see the lead
// qualified in the HubSpot card, the Intercom canvas and the audit log. Every step leaves a
// screenshot in test-artifacts/journey/.

const SHOTS = join(process.cwd(), 'test-artifacts', 'journey');
const CHROMIUM = '/usr/bin/chromium';
const FRIEND = { first: 'Zoe', last: 'Quinn', email: 'zoe.quinn@friends.example' };

let db: TestDatabase;
let server: ChildProcess | undefined;
let output = '';
let dataDir: string;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let shot = 0;

beforeAll(async () => {
  rmSync(SHOTS, { recursive: true, force: true }); // only this run's pictures
  mkdirSync(SHOTS, { recursive: true });
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(process.cwd(), '.data', 'journey-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  for (const k of ['HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'HUBSPOT_APP_ID', 'INTERCOM_CLIENT_ID', 'INTERCOM_CLIENT_SECRET', 'ENCRYPTION_KEY']) delete env[k];
  server = spawn(process.execPath, ['node_modules/.bin/tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Refcard is ready')) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the sandbox server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** One step of the journey: run it, then photograph the page as the step left it. */
async function step(name: string, fn: () => Promise<void>) {
  shot += 1;
  const file = join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  try {
    await fn();
  } catch (err) {
    await page.screenshot({ path: file.replace('.png', '-FAILED.png'), fullPage: true }).catch(() => undefined);
    throw new Error(`journey step ${shot} “${name}” failed at ${page.url()}: ${(err as Error).message}\n--- server output ---\n${output.slice(-4000)}`);
  }
  await page.screenshot({ path: file, fullPage: true });
}

const text = async (selector = 'body') => (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');

/** Reloads until the page shows `wanted` (webhooks and jobs take a moment); the page as it is counts first. */
async function reloadUntil(url: string, wanted: RegExp, timeoutMs = 30_000, selector = 'body') {
  const deadline = Date.now() + timeoutMs;
  for (let first = true; ; first = false) {
    if (!first || page.url() !== url) await page.goto(url);
    if ((await page.locator(selector).count()) && wanted.test(await text(selector))) return;
    if (Date.now() > deadline) throw new Error(`${url} never showed ${wanted}; it shows: ${(await text(selector)).slice(0, 1500)}`);
    await page.waitForTimeout(500);
  }
}

describe('a newcomer in sandbox mode', () => {
  it('signs in, connects both CRMs, runs a campaign and watches a referral qualify everywhere', async () => {
    let campaignUrl = '';
    let link = '';

    await step('fresh-start-sign-in', async () => {
      await page.goto(base + '/');
      await expect.poll(() => page.title()).toBe('Sign in · Refcard');
      expect(await text()).toContain('Sandbox mode');
    });

    await step('hubspot-consent', async () => {
      await page.getByRole('link', { name: 'Sign in with HubSpot' }).click();
      await page.waitForSelector('#approve');
      expect(page.url()).toContain('/oauth/authorize');
    });

    await step('signed-in', async () => {
      await Promise.all([page.waitForURL(`${base}/admin`), page.click('#approve')]);
      expect(await text('main')).toContain('Getting started');
      expect(await text('.who')).toContain('Refcard Demo Co.');
    });

    await step('connect-hubspot', async () => {
      await page.goto(base + '/admin/integrations');
      await page.getByRole('link', { name: 'Connect HubSpot' }).click();
      await page.waitForSelector('#approve');
      await Promise.all([page.waitForURL(`${base}/admin`), page.click('#approve')]);
      await page.goto(base + '/admin/integrations');
      expect(await text('main')).toMatch(/HubSpot portal .*4242001 .*Connected/);
    });

    await step('connect-intercom', async () => {
      await page.getByRole('link', { name: 'Connect Intercom' }).click();
      await page.waitForSelector('#approve');
      await Promise.all([page.waitForURL(`${base}/admin`), page.click('#approve')]);
      await page.goto(base + '/admin/integrations');
      const t = await text('main');
      expect(t).toMatch(/Intercom workspace .*refcarddemo .*Connected/);
      expect(t).toMatch(/HubSpot portal .*Connected/);
    });

    await step('create-campaign', async () => {
      await page.goto(base + '/admin/campaigns/new');
      await page.getByLabel('Name', { exact: true }).fill('Summer referrals');
      await page.getByLabel('Reward 1 name').fill('$40 for every friend who buys');
      await page.getByLabel('Reward 1 amount').fill('40');
      await page.getByRole('button', { name: 'Create campaign' }).click();
      await page.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/);
      campaignUrl = page.url();
      expect(await text('main')).toContain('Campaign “Summer referrals” created');
    });

    await step('map-fields', async () => {
      await page.goto(`${campaignUrl}/mapping?provider=hubspot`);
      expect(await text('main')).toMatch(/contact properties in HubSpot portal .*writable/);
      expect(await text('main')).toContain('Properties Refcard cannot write');
      // Dynamic values: people Refcard creates in HubSpot get their names.
      await page.getByLabel('What Refcard writes into First Name').selectOption({ label: 'First name' });
      await page.getByLabel('What Refcard writes into Last Name').selectOption({ label: 'Last name' });
      // A fixed value: the same text for everyone.
      await page.getByLabel('What Refcard writes into Job Title').selectOption('fixed');
      await page.getByLabel('Fixed value for Job Title').fill('Summer referrer');
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page.waitForURL(/mapping\?provider=hubspot$/);
      expect(await text('main')).toContain('HubSpot mapping saved');
      expect(await page.getByLabel('What Refcard writes into Job Title').inputValue()).toBe('fixed');
      expect(await page.getByLabel('What Refcard writes into First Name').inputValue()).toBe('first_name');
    });

    await step('qualification-rule', async () => {
      await page.goto(`${campaignUrl}/rules`);
      await page.getByLabel('Pipeline and stage').selectOption({ label: 'Closed Won' });
      await page.getByRole('button', { name: 'Add deal-stage rule' }).click();
      await page.waitForURL(/\/rules$/);
      expect(await text('main')).toContain('a deal of the lead reaches “Closed Won” in Sales Pipeline');
    });

    await step('sync-list-100-percent', async () => {
      const id = campaignUrl.split('/').pop()!;
      await page.goto(`${base}/admin/syncs?campaign=${id}`);
      const form = page.locator('form', { hasText: 'From HubSpot portal' });
      await form.getByLabel('Into campaign').selectOption({ label: 'Summer referrals' });
      await form.getByLabel('List', { exact: true }).selectOption({ label: 'Happy customers (5)' });
      await form.getByRole('button', { name: 'Start sync' }).click();
      await page.waitForURL(/\/admin\/syncs\?campaign=/);
      const row = page.locator('tr', { hasText: 'Summer referrals' }).first();
      // The bar is driven by the page's script polling the progress endpoint.
      await expect.poll(async () => row.locator('[data-sync-text]').innerText(), { timeout: 30_000 }).toContain('5 of 5 done (100%), 0 failed');
      const bar = row.locator('progress');
      expect(await bar.getAttribute('max')).toBe('5');
      await expect.poll(async () => bar.evaluate((b) => (b as HTMLProgressElement).value)).toBe(5);
      expect(await row.locator('[data-sync-state]').innerText()).toBe('Completed');
    });

    await step('sandbox-contact-card', async () => {
      await page.goto(`${base}/sandbox?email=ava@refcard-demo.test`);
      const card = page.getByTestId('hubspot-card');
      await card.getByLabel('Campaign').selectOption({ label: 'Summer referrals' });
      await card.getByRole('button', { name: 'Switch' }).click();
      await page.waitForLoadState();
      expect(await page.getByTestId('hubspot-card').getByLabel('Campaign').inputValue()).not.toBe('');
      expect(await text('[data-testid="hubspot-card"]')).toContain('Referral link');
      link = (await page.getByTestId('hubspot-card').locator('a[data-testid="referral-link"]').innerText()).trim();
      expect(link).toMatch(new RegExp(`^${base}/r/\\w+$`));
    });

    await step('copy-link', async () => {
      await page.getByTestId('hubspot-card').getByRole('button', { name: 'Copy link' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    });

    await step('friend-signs-up', async () => {
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      await page.goto(copied);
      expect(await page.title()).toBe('Join Summer referrals');
      await page.getByLabel('First name').fill(FRIEND.first);
      await page.getByLabel('Last name').fill(FRIEND.last);
      await page.getByLabel('Email').fill(FRIEND.email);
      await page.getByLabel(/may contact me/).check();
      await page.getByRole('button').click();
      await page.waitForLoadState();
      expect(await text()).toMatch(/Thanks/);
    });

    await step('friend-in-hubspot', async () => {
      // Refcard created the friend in HubSpot (the campaign's default: create or update by email).
      await reloadUntil(`${base}/sandbox?email=${FRIEND.email}`, /HubSpot · contact record: Zoe Quinn/);
      await reloadUntil(`${base}/sandbox?email=${FRIEND.email}`, /Referred lead Pending/, 30_000, '[data-testid="hubspot-card"]');
      await page.getByLabel('Deal name').fill('Zoe — annual plan');
      await page.getByLabel('Stage', { exact: true }).selectOption({ label: 'Appointment Scheduled' });
      await page.getByRole('button', { name: 'Create deal' }).click();
      await page.waitForLoadState();
      expect(await text('.hubspot')).toContain('Zoe — annual plan');
    });

    await step('move-deal-qualifies', async () => {
      const deal = page.locator('form.deal', { hasText: 'Zoe — annual plan' });
      await deal.getByLabel('Move to').selectOption({ label: 'Closed Won' });
      await deal.getByRole('button', { name: 'Move deal' }).click();
      await page.waitForLoadState();
      expect(await text('.flash')).toMatch(/moved to Closed Won/);
      await reloadUntil(page.url(), /Referred lead Qualified/, 30_000, '[data-testid="hubspot-card"]');
      expect(await text('[data-testid="hubspot-card"]')).toMatch(/Qualified by HubSpot deal stage/);
      // and the contact's properties changed in HubSpot
      await reloadUntil(page.url(), /Referral status qualified/i, 30_000, '[data-testid="hubspot-properties"]');
    });

    await step('canvas-shows-qualified', async () => {
      await reloadUntil(`${base}/sandbox?email=${FRIEND.email}`, /Intercom · inbox: Zoe Quinn/);
      const start = page.getByRole('button', { name: 'Start a conversation from this contact' });
      if (await start.count()) await start.click();
      await page.waitForSelector('[data-testid="intercom-canvas"]');
      expect(await text('[data-testid="intercom-canvas"]')).toMatch(/Qualified/);
    });

    await step('audit-log', async () => {
      await page.goto(`${base}/admin/audit?action=lead.qualified`);
      expect(await text('main')).toMatch(/qualified Zoe Quinn .*HubSpot deal stage .*pending → qualified/);
    });
  }, 300_000);

  it('names with markup typed into HubSpot and Intercom stay text on the sandbox page and in the console', async () => {
    const sandbox = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as { hubspot: { apiBase: string; portalId: number }; intercom: { apiBase: string; workspaceId: string } };
    const evil = { first: '<img src=x onerror="window.__xss=1">', last: '"><script>window.__xss=2</script>', email: 'mallory@evil.example' };
    const hs = await fetch(`${sandbox.hubspot.apiBase}/__emulator/ui/createContact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ portalId: sandbox.hubspot.portalId, properties: { email: evil.email, firstname: evil.first, lastname: evil.last } }),
    });
    expect(hs.status).toBe(200);
    const ic = await fetch(`${sandbox.intercom.apiBase}/__emulator/workspaces/${sandbox.intercom.workspaceId}/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'user', email: evil.email, name: `${evil.first} ${evil.last}` }),
    });
    expect(ic.status).toBe(200);
    const injected = () => page.evaluate(() => ({ flag: (window as { __xss?: number }).__xss ?? null, images: document.querySelectorAll('img, svg').length, scripts: [...document.scripts].filter((x) => !x.src.endsWith('/admin/assets/console.js')).length }));

    await step('markup-names-in-sandbox', async () => {
      await page.goto(`${base}/sandbox?email=${evil.email}`);
      const card = page.getByTestId('hubspot-card');
      await card.getByRole('button', { name: 'Enrol as referrer' }).click();
      await page.waitForLoadState();
      await reloadUntil(page.url(), /Referral link/, 30_000, '[data-testid="hubspot-card"]');
      expect(await text('.hubspot')).toContain(evil.first);
      const start = page.getByRole('button', { name: 'Start a conversation from this contact' });
      if (await start.count()) await start.click();
      await page.waitForSelector('[data-testid="intercom-canvas"]');
      expect(await text('.intercom')).toContain(evil.first);
      expect(await injected()).toEqual({ flag: null, images: 0, scripts: 0 });
    });

    await step('markup-names-in-console', async () => {
      await page.goto(`${base}/admin/participants`);
      await page.getByLabel('Search name, email or code').fill('mallory');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForLoadState();
      expect(await text('main')).toContain(evil.email);
      expect(await text('main')).toContain(evil.first);
      expect(await injected()).toEqual({ flag: null, images: 0, scripts: 0 });
      await page.getByRole('link', { name: /img src=x/ }).first().click();
      await page.waitForLoadState();
      expect(await text('main')).toContain(evil.last);
      expect(await injected()).toEqual({ flag: null, images: 0, scripts: 0 });
    });
  }, 120_000);
});
