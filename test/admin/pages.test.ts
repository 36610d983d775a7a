import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { campaigns, syncRuns } from '../../server/db/schema.ts';
import { eventually } from '../support/app.ts';
import { defaultFieldMapping } from '../../shared/campaign.ts';
import { createCampaign, startHub, type Hub } from '../hubspot/harness.ts';
import { browserFor, textOf, type Admin } from './support.ts';

// The console against a connected (emulated) HubSpot portal: every page renders for a signed-in
// admin, a campaign is created and edited, the mapping lists every contact property live with
// the reasons some cannot be written, rules pick real pipelines and stages, and a list sync runs
// to 100% with its progress readable as JSON.

let hub: Hub;
let admin: Admin;
let accountId: string;
let campaignId: string;

beforeAll(async () => {
  hub = await startHub();
  hub.emu.seedPortal(hub.portalId, {
    contacts: [1, 2, 3].map((i) => ({ key: `c${i}`, properties: { email: `member${i}@acme.test`, firstname: `Member${i}` } })),
    lists: [{ name: 'VIP customers', processingType: 'MANUAL', members: ['c1', 'c2', 'c3'] }],
    pipelines: [{ id: 'partners', label: 'Partner deals', stages: [{ id: 'intro', label: 'Intro' }, { id: 'signed', label: 'Signed', probability: 1, isClosed: true }] }],
  });
  const installed = await hub.install();
  expect(installed.location).toBe('/admin');
  accountId = installed.accountId;
  const session = /rc_session=([^;]+)/.exec(installed.cookie)![1]!;
  admin = await browserFor(hub.t, session);
});

afterAll(async () => {
  await hub?.stop();
});

describe('a signed-in admin', () => {
  it('creates a campaign, is taken to it, and edits it', async () => {
    const created = await admin.post('/admin/campaigns', {
      name: 'Friends of Acme',
      status: 'active',
      landing_url: '',
      hubspot_new_participants: 'create',
      intercom_new_participants: 'user',
      require_consent: 'on',
      r0_name: 'Gift card',
      r0_recipient: 'referrer',
      r0_trigger: 'per_qualified_lead',
      r0_amount: '25.50',
      r0_currency: 'eur',
    });
    expect(created.status).toBe(303);
    campaignId = created.location!.split('/').pop()!;
    const page = await admin.get(created.location!);
    expect(textOf(page.html)).toContain('Campaign “Friends of Acme” created');
    const [row] = await hub.t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(row!.settings).toEqual({ hubspotNewParticipants: 'create', intercomNewParticipants: 'user', requireConsent: true });
    expect(row!.rewardRules).toEqual([expect.objectContaining({ name: 'Gift card', amountCents: 2550, currency: 'EUR', recipient: 'referrer' })]);

    const edited = await admin.post(`/admin/campaigns/${campaignId}`, { name: 'Friends of Acme', status: 'paused', landing_url: 'https://acme.example/join', r0_id: row!.rewardRules[0]!.id, r0_name: 'Gift card', r0_recipient: 'referrer', r0_trigger: 'per_qualified_lead', r0_amount: '30', r0_currency: 'EUR' });
    expect(edited.status).toBe(303);
    const after = await admin.get(`/admin/campaigns/${campaignId}`);
    expect(after.html).toContain('https://acme.example/join?ref=CODE');
    const [again] = await hub.t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(again!.status).toBe('paused');
    expect(again!.rewardRules[0]!.id).toBe(row!.rewardRules[0]!.id);
    expect(again!.rewardRules[0]!.amountCents).toBe(3000);
  });

  it('a campaign form with mistakes comes back with every error named and the values kept', async () => {
    const res = await admin.post('/admin/campaigns', { name: '', landing_url: 'ftp://nope', r0_name: 'Bonus', r0_amount: 'lots', r0_currency: 'USD', r0_trigger: 'milestone' });
    expect(res.status).toBe(400);
    const text = textOf(res.html);
    expect(text).toContain('Please correct these');
    expect(res.html).toContain('aria-invalid="true"');
    expect(res.html).toContain('value="ftp://nope"');
    expect(text).toMatch(/amount such as 50/);
  });

  it('sees every page', async () => {
    for (const [path, heading] of [
      ['/admin', 'Overview'],
      ['/admin/integrations', 'Integrations'],
      ['/admin/campaigns', 'Campaigns'],
      ['/admin/campaigns/new', 'New campaign'],
      [`/admin/campaigns/${campaignId}`, 'Campaign: Friends of Acme'],
      [`/admin/campaigns/${campaignId}/mapping`, 'Field mapping: Friends of Acme'],
      [`/admin/campaigns/${campaignId}/mapping?provider=intercom`, 'Field mapping: Friends of Acme'],
      [`/admin/campaigns/${campaignId}/rules`, 'Qualification rules: Friends of Acme'],
      [`/admin/campaigns/${campaignId}/participants`, 'Participants: Friends of Acme'],
      ['/admin/syncs', 'Syncs'],
      ['/admin/audit', 'Audit log'],
      ['/admin/api-keys', 'API keys'],
      ['/admin/webhooks', 'Webhooks'],
    ] as const) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      expect(res.html, path).toContain(`<h1>${heading.replace('&', '&amp;')}</h1>`);
      expect(res.html, path).toContain('<nav aria-label="Console">');
      expect(res.html, path).toContain('<main id="content"');
    }
  });

  it('the integrations page shows the portal, its status, last webhook and API budget', async () => {
    const text = textOf((await admin.get('/admin/integrations')).html);
    expect(text).toContain(`HubSpot portal`);
    expect(text).toContain(String(hub.portalId));
    expect(text).toContain('Connected');
    expect(text).toMatch(/\d+ of 110 requests/);
  });

  it('the integrations page says what HubSpot refused and what still waits to be written', async () => {
    const api = await hub.apiFor(accountId);
    const mapping = defaultFieldMapping();
    mapping.hubspot.outbound.push({ target: 'deleted_last_year', source: { kind: 'fixed', value: 'x' } });
    const campaign = await createCampaign(api, { name: 'Write-back', field_mapping: mapping });
    hub.emu.ui.requireLettersOnly(hub.portalId, 'contacts', 'firstname');
    try {
      await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'al@refused.test', first_name: 'Al 2' });
      const refusedRow = await eventually(async () => {
        const text = textOf((await admin.get('/admin/integrations')).html);
        expect(text).toContain('Values HubSpot refused lately');
        return text;
      });
      expect(refusedRow).toMatch(/al@refused\.test firstname Al 2 Enter only letters INVALID_ALPHA/);
      expect(refusedRow).toContain('Up to date');
      expect(refusedRow).toMatch(/deleted_last_year is left out of every write \(PROPERTY_DOESNT_EXIST\); tried again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

      // HubSpot refuses a whole write: the person waits, and the admin reads why
      hub.emu.faults.set({ nextStatuses: [400], path: '/crm/v3/objects/contacts/batch/upsert' });
      await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'bo@refused.test', first_name: 'Bo' });
      const waiting = await eventually(async () => {
        const text = textOf((await admin.get('/admin/integrations')).html);
        expect(text).toContain('1 refused lately.');
        return text;
      });
      expect(waiting).toMatch(/1 waiting 1 refused lately\. Latest: HubSpot refused .*400/);
    } finally {
      hub.emu.faults.clear();
      hub.emu.ui.requireLettersOnly(hub.portalId, 'contacts', 'firstname', false);
    }
  });

  it('the mapping lists every contact property live, the unwritable ones with why, and saves dynamic and fixed values', async () => {
    // A property created in HubSpot after install, not shown in forms: listed after Refresh.
    hub.emu.seedPortal(hub.portalId, {
      groups: { contacts: [{ name: 'partners', label: 'Partners' }] },
      properties: { contacts: [{ name: 'partner_code', label: 'Partner code', type: 'string', fieldType: 'text', groupName: 'partners' }] },
    });
    const page = await admin.get(`/admin/campaigns/${campaignId}/mapping?provider=hubspot&refresh=1`);
    const text = textOf(page.html);
    expect(text).toContain('Partner code partner_code'); // not a form field, listed all the same
    expect(text).toContain('Referral link refcard_referral_link');
    expect(text).toContain('Properties Refcard cannot write');
    expect(text).toMatch(/Record ID hs_object_id number read-only/);
    const rows = Number(/name="rows" value="(\d+)"/.exec(page.html)![1]);
    const index = (name: string) => Number(new RegExp(`name="t_(\\d+)" value="${name}"`).exec(page.html)![1]);
    const form: Record<string, string> = { provider: 'hubspot', rows: String(rows), connection: /name="connection" value="([^"]+)"/.exec(page.html)![1]! };
    for (let i = 0; i < rows; i++) form[`t_${i}`] = new RegExp(`name="t_${i}" value="([^"]+)"`).exec(page.html)![1]!;
    form[`s_${index('refcard_referral_link')}`] = 'referral_link';
    form[`s_${index('partner_code')}`] = 'fixed';
    form[`f_${index('partner_code')}`] = 'Referral';
    form.in_first_name = 'firstname';
    const saved = await admin.post(`/admin/campaigns/${campaignId}/mapping`, form);
    expect(saved.status).toBe(303);
    const [row] = await hub.t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(row!.fieldMapping.hubspot.outbound).toEqual([
      { target: 'refcard_referral_link', source: { kind: 'field', field: 'referral_link' } },
      { target: 'partner_code', source: { kind: 'fixed', value: 'Referral' } },
    ]);
    expect(row!.fieldMapping.hubspot.inbound).toEqual([{ source: 'firstname', target: 'first_name' }]);

    // A read-only property posted anyway is refused with the reason.
    const refused = await admin.post(`/admin/campaigns/${campaignId}/mapping`, { provider: 'hubspot', rows: '1', t_0: 'hs_object_id', s_0: 'referral_code' });
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain('cannot be written: read-only');
  });

  it('rules pick pipelines and stages from the portal, and can be removed', async () => {
    const page = await admin.get(`/admin/campaigns/${campaignId}/rules`);
    expect(page.html).toContain('<optgroup label="Partner deals">');
    expect(page.html).toContain('value="partners::signed"');
    const added = await admin.post(`/admin/campaigns/${campaignId}/rules`, { kind: 'hubspot_deal_stage', stage: 'partners::signed' });
    expect(added.status).toBe(303);
    const after = textOf((await admin.get(`/admin/campaigns/${campaignId}/rules`)).html);
    expect(after).toContain('a deal of the lead reaches “Signed” in Partner deals');
    const made = await admin.post(`/admin/campaigns/${campaignId}/rules`, { kind: 'hubspot_contact_property', property: 'lifecyclestage', property_value: 'customer' });
    expect(made.status).toBe(303);
    const bogus = await admin.post(`/admin/campaigns/${campaignId}/rules`, { kind: 'hubspot_deal_stage', stage: 'partners::nope' });
    expect(bogus.status).toBe(400);
    const [row] = await hub.t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(row!.qualificationRules.map((r) => r.kind)).toEqual(['hubspot_deal_stage', 'hubspot_contact_property']);
    expect(row!.qualificationRules[0]).toMatchObject({ pipelineId: 'partners', stageId: 'signed' });
    const removed = await admin.post(`/admin/campaigns/${campaignId}/rules/${row!.qualificationRules[1]!.id}/delete`, {});
    expect(removed.status).toBe(303);
    const [left] = await hub.t.ctx.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(left!.qualificationRules).toHaveLength(1);
  });

  it('syncs a list, with progress from the JSON endpoint reaching 100%, and toggles ongoing', async () => {
    await admin.post(`/admin/campaigns/${campaignId}`, { name: 'Friends of Acme', status: 'active', r0_id: '', r0_name: '' });
    const page = await admin.get(`/admin/syncs?campaign=${campaignId}`);
    const list = hub.emu.portal(hub.portalId).list('VIP customers')!;
    expect(textOf(page.html)).toContain('VIP customers (3)');
    const conn = await hub.connection();
    const started = await admin.post('/admin/syncs', { campaign: campaignId, connection: conn.id, source: 'list', list: String(list.listId), mode: 'once' });
    expect(started.status).toBe(303);
    const [run] = await hub.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.campaignId, campaignId));
    const progress = await eventually(async () => {
      const res = await admin.get(`/admin/syncs/${run!.id}/progress.json`);
      const body = JSON.parse(res.html);
      expect(body.state).toBe('completed');
      return body;
    }, 20_000);
    expect(progress).toMatchObject({ done: 3, total: 3, failed: 0, percent: 100, live: false });
    const runs = await admin.get(`/admin/syncs?campaign=${campaignId}`);
    expect(runs.html).toMatch(/<progress max="3" value="3"/);
    expect(textOf(runs.html)).toContain('3 of 3 done (100%), 0 failed');
    const toggled = await admin.post(`/admin/syncs/${run!.id}/mode`, { mode: 'ongoing' });
    expect(toggled.status).toBe(303);
    const [after] = await hub.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run!.id));
    expect(after!.mode).toBe('ongoing');
    const people = textOf((await admin.get(`/admin/campaigns/${campaignId}/participants`)).html);
    for (const i of [1, 2, 3]) expect(people).toContain(`member${i}@acme.test`);
  });
});
