import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditEvents, connections, crmLinks, participants } from '../../server/db/schema.ts';
import { QUEUES } from '../../server/jobs/queues.ts';
import { connectPortal } from '../../server/hubspot/module.ts';
import { signV3 } from '../emulators/hubspot/index.ts';
import { eventually } from '../support/app.ts';
import { createCampaign, PUBLIC_URL, startHub, type Hub } from './harness.ts';

// The CRM card as HubSpot's hubspot.fetch proxy calls it: the views a rep sees, the buttons, how
// fast a known contact answers, and everything that must be refused — unsigned, altered, stale or
// foreign requests, and any attempt to see or touch another portal's data.

let hub: Hub;
let api: Awaited<ReturnType<Hub['apiFor']>>;
let campaign: any;
let other: any;
let accountId: string;
let contacts: Record<string, number>;
const portal = () => hub.emu.portal(hub.portalId);

// A second customer: its own portal, account, campaign and a referrer linked to a contact there.
let foreign: { portalId: number; contactId: number; email: string; leadId: string };

beforeAll(async () => {
  hub = await startHub();
  const installed = await hub.install();
  accountId = installed.accountId;
  api = await hub.apiFor(accountId);
  campaign = await createCampaign(api, { name: 'Friends of Acme', reward_rules: [{ id: 'bounty', name: '$50', recipient: 'referrer', amountCents: 5000, currency: 'USD' }] });
  other = await createCampaign(api, { name: 'Partners' });
  contacts = hub.emu.seedPortal(hub.portalId, {
    contacts: [{ key: 'nina', properties: { email: 'nina@acme.test', firstname: 'Nina', lastname: 'New' } }],
  }).contacts;

  const b = hub.emu.createPortal({ users: [{ email: 'boss@globex.test' }] });
  const { contacts: bc } = hub.emu.seedPortal(b.portalId, { contacts: [{ key: 'gus', properties: { email: 'gus@globex.test' } }] });
  const { code } = hub.emu.installApp(hub.app.appId, b.portalId);
  const connected = await connectPortal(hub.t.ctx, { code });
  const bApi = await hub.apiFor(connected.accountId);
  const bCampaign = await createCampaign(bApi, { name: 'Globex secret program' });
  const gus = await bApi('POST', '/api/v1/referrers', { campaign_id: bCampaign.id, email: 'gus@globex.test' });
  const lead = await bApi('POST', '/api/v1/leads', { campaign_id: bCampaign.id, email: 'hidden@globex.test', referral_code: gus.body.code });
  await eventually(async () => expect(await hub.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.participantId, gus.body.id))).toHaveLength(1));
  foreign = { portalId: b.portalId, contactId: bc.gus!, email: 'gus@globex.test', leadId: lead.body.id };
});
afterAll(() => hub?.stop());

/** Holds a connection's push lock as a push job would, until `release`; waits while another holder has it. */
async function holdPushLock(connectionId: string): Promise<{ job: Promise<boolean>; release: () => void }> {
  let release!: () => void;
  const running = new Promise<void>((r) => (release = r));
  const deadline = Date.now() + 10_000;
  for (;;) {
    let held!: () => void;
    const holding = new Promise<'held'>((r) => (held = () => r('held')));
    const job = hub.t.ctx.jobs.tryExclusive(QUEUES.crmPush, connectionId, async () => {
      held();
      await running;
    });
    if ((await Promise.race([holding, job.then(() => 'busy' as const)])) === 'held') return { job, release };
    if (Date.now() > deadline) throw new Error('the push lock stayed taken for 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request to the card as HubSpot would sign it, with the chance to break it on the way. */
async function signedGet(url: string, o: { timestamp?: number; secret?: string; sendUrl?: string } = {}) {
  const ts = o.timestamp ?? Date.now();
  return hub.t.app.request(o.sendUrl ?? url, {
    headers: { 'X-HubSpot-Signature-v3': signV3(o.secret ?? hub.app.clientSecret, 'GET', url, '', ts), 'X-HubSpot-Request-Timestamp': String(ts) },
  });
}
const cardUrl = (contactId: number | string, portalId = hub.portalId) => `${PUBLIC_URL}/hubspot/card?contactId=${contactId}&userId=7&userEmail=rita%40acme.test&portalId=${portalId}&appId=${hub.app.appId}`;

describe('the card for a rep', () => {
  it('shows a contact Refcard has never met as not enrolled, after one HubSpot lookup that is then cached', async () => {
    // Only lookups of this contact count: background jobs may call HubSpot for others meanwhile.
    const lookups = () => hub.emu.requestLog.count({ path: `/crm/v3/objects/contacts/${contacts.nina}` });
    const before = lookups();
    const card = await hub.card(contacts.nina!);
    expect(card.status).toBe(200);
    expect(card.json).toMatchObject({ contact: { crmId: String(contacts.nina), email: 'nina@acme.test', name: 'Nina New' }, enrolment: null, campaign: { id: campaign.id } });
    expect(card.json.campaigns.map((c: any) => c.name)).toEqual(['Friends of Acme', 'Partners']);
    expect(lookups()).toBe(before + 1);
    await hub.card(contacts.nina!);
    expect(lookups()).toBe(before + 1);
  });

  it('enrols the contact from the card, and their link is in HubSpot by the time the card has its answer', async () => {
    const res = await hub.action(contacts.nina!, { action: 'enrol', campaignId: campaign.id });
    expect(res.status).toBe(200);
    expect(res.json.notice).toMatchObject({ type: 'success' });
    const link = res.json.enrolment.referrer.link;
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/r/`));
    expect(portal().contact(contacts.nina!)!.properties.refcard_referral_link).toBe(link);
    const [event] = await hub.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, res.json.enrolment.participantId), eq(auditEvents.action, 'referrer.created')));
    expect(event).toMatchObject({ actorType: 'user', actorId: '7', actorLabel: 'rita@acme.test', source: 'hubspot_card' });
  });

  it('answers a known contact from PostgreSQL alone, in milliseconds', async () => {
    // (reads of contacts only: a push job may be writing to HubSpot in the background meanwhile)
    const contactReads = () => hub.emu.requestLog.count({ method: 'GET', path: '/crm/v3/objects/contacts/*' });
    const before = contactReads();
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      expect((await hub.card(contacts.nina!)).status).toBe(200);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(contactReads()).toBe(before);
    console.log(`card, known contact, through the emulated proxy: p50 ${times[15]!.toFixed(1)} ms, max ${times[29]!.toFixed(1)} ms`);
    expect(times[15]).toBeLessThan(100);
  });

  it('still answers a known contact while syncs and webhook drains hold every other database connection', async () => {
    const db = hub.t.ctx.db;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding = 0;
    const held = Array.from({ length: db.$client.options.max }, () =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        holding++;
        await gate;
      }),
    );
    try {
      await eventually(async () => expect(holding).toBe(db.$client.options.max));
      const answer = await Promise.race([hub.card(contacts.nina!), new Promise<'waited'>((r) => setTimeout(() => r('waited'), 5000))]);
      expect(answer).not.toBe('waited');
      expect(answer).toMatchObject({ status: 200, json: { enrolment: { referrer: { link: expect.stringMatching(/\/r\//) } } } });
    } finally {
      release();
      await Promise.all(held);
    }
  });

  it('qualifies a referred lead once, however often the button is pressed', async () => {
    const nina = await hub.card(contacts.nina!);
    const lead = await api('POST', '/api/v1/leads', { campaign_id: campaign.id, email: 'lena@acme.test', first_name: 'Lena', referral_code: nina.json.enrolment.referrer.code });
    expect(lead.status).toBe(201);
    const lena = await eventually(() => {
      const c = portal().contact('lena@acme.test');
      expect(c).toBeDefined();
      return c!;
    });
    const card = await hub.card(lena.id);
    expect(card.json.enrolment.lead).toMatchObject({ status: 'pending', referredBy: { email: 'nina@acme.test' } });

    const body = { action: 'qualify', campaignId: campaign.id, participantId: lead.body.id };
    const first = await hub.action(lena.id, body);
    expect(first.json.notice).toEqual({ type: 'success', message: 'Lead qualified. 1 reward issued.' });
    expect(first.json.enrolment.lead.status).toBe('qualified');
    expect(portal().contact(lena.id)!.properties.refcard_referral_status).toBe('qualified');
    const again = await hub.action(lena.id, body);
    expect(again.json.notice).toEqual({ type: 'info', message: 'This lead was already qualified.' });
    const qualified = await hub.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, lead.body.id), eq(auditEvents.action, 'lead.qualified')));
    expect(qualified).toHaveLength(1);
    expect(qualified[0]).toMatchObject({ source: 'hubspot_card', actorLabel: 'rita@acme.test' });
  });

  it('leaves its push to the push already running for the portal, so an older value never lands last', async () => {
    const nina = await hub.card(contacts.nina!);
    const lead = await api('POST', '/api/v1/leads', { campaign_id: campaign.id, email: 'lou@acme.test', first_name: 'Lou', referral_code: nina.json.enrolment.referrer.code });
    const lou = await eventually(() => {
      const c = portal().contact('lou@acme.test');
      expect(c?.properties.refcard_referral_status).toBe('pending');
      return c!;
    });
    const [conn] = await hub.t.ctx.db.select().from(connections).where(eq(connections.externalId, String(hub.portalId)));
    // A push job of this portal, mid-run: it holds the portal's push lock (taken as soon as the
    // real push job that wrote Lou's contact lets go of it).
    const { job, release } = await holdPushLock(conn!.id);
    try {
      const res = await hub.action(lou.id, { action: 'qualify', campaignId: campaign.id, participantId: lead.body.id });
      expect(res.json.enrolment.lead.status).toBe('qualified');
      expect(portal().contact(lou.id)!.properties.refcard_referral_status).toBe('pending');
    } finally {
      release();
    }
    expect(await job).toBe(true);
    await eventually(() => expect(portal().contact(lou.id)!.properties.refcard_referral_status).toBe('qualified'), 15_000);
  });

  it('switches the card to another campaign', async () => {
    const res = await hub.action(contacts.nina!, { action: 'select_campaign', campaignId: other.id });
    expect(res.json).toMatchObject({ campaign: { id: other.id, name: 'Partners' }, enrolment: null });
  });

  it('answers a malformed action with a problem naming the field', async () => {
    const res = await hub.action(contacts.nina!, { action: 'qualify', campaignId: campaign.id });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'validation_failed', field: 'participantId' });
  });
});

describe('requests that are not from HubSpot', () => {
  it('refuses an unsigned request', async () => {
    const res = await hub.t.app.request(cardUrl(contacts.nina!));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'signature_missing' });
  });

  it('accepts the same request signed, which shows the refusals below are about the signature', async () => {
    expect((await signedGet(cardUrl(contacts.nina!))).status).toBe(200);
  });

  it('refuses a request whose URL was changed after HubSpot signed it (another contact, another portal)', async () => {
    for (const sendUrl of [cardUrl(contacts.nina! + 1), cardUrl(contacts.nina!, foreign.portalId)]) {
      const res = await signedGet(cardUrl(contacts.nina!), { sendUrl });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'signature_mismatch' });
    }
  });

  it('refuses a replayed request older than five minutes, and one stamped in the future', async () => {
    for (const timestamp of [Date.now() - 5 * 60_000 - 1000, Date.now() + 5 * 60_000 + 1000]) {
      const res = await signedGet(cardUrl(contacts.nina!), { timestamp });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'signature_stale' });
    }
    expect((await signedGet(cardUrl(contacts.nina!), { timestamp: Date.now() - 4 * 60_000 })).status).toBe(200);
  });

  it('refuses a signature made with another app’s secret', async () => {
    const res = await signedGet(cardUrl(contacts.nina!), { secret: 'not-our-secret' });
    expect(res.status).toBe(401);
  });

  it('changes nothing twice when a signed action is replayed within the window', async () => {
    const lead = await api('POST', '/api/v1/leads', { campaign_id: campaign.id, email: 'rex@acme.test', referral_code: (await hub.card(contacts.nina!)).json.enrolment.referrer.code });
    const url = `${PUBLIC_URL}/hubspot/card/actions?userId=7&userEmail=rita%40acme.test&portalId=${hub.portalId}`;
    const body = JSON.stringify({ contactId: String(contacts.nina), action: 'qualify', campaignId: campaign.id, participantId: lead.body.id });
    const ts = Date.now();
    const send = () =>
      hub.t.app.request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'X-HubSpot-Signature-v3': signV3(hub.app.clientSecret, 'POST', url, body, ts), 'X-HubSpot-Request-Timestamp': String(ts) },
      });
    expect((await (await send()).json()).notice.type).toBe('success');
    expect((await (await send()).json()).notice.type).toBe('info');
    expect(await hub.t.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, lead.body.id), eq(auditEvents.action, 'lead.qualified')))).toHaveLength(1);
  });

  it('refuses a portal that has not installed Refcard', async () => {
    const stranger = hub.emu.createPortal();
    hub.emu.installApp(hub.app.appId, stranger.portalId);
    const res = await hub.card(1, { portalId: stranger.portalId });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: 'not_installed' });
  });
});

describe('one portal, one account', () => {
  it('never shows another portal’s contact or program, even by its contact id', async () => {
    const res = await hub.card(foreign.contactId);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.json);
    expect(text).not.toContain(foreign.email);
    expect(text).not.toContain('Globex');
    expect(res.json.campaigns.map((c: any) => c.id)).toEqual([campaign.id, other.id]);
  });

  it('cannot qualify another account’s lead, whatever id the card sends', async () => {
    const res = await hub.action(contacts.nina!, { action: 'qualify', campaignId: campaign.id, participantId: foreign.leadId });
    expect(res.status).toBe(200);
    expect(res.json.notice.type).toBe('danger');
    const [lead] = await hub.t.ctx.db.select().from(participants).where(eq(participants.id, foreign.leadId));
    expect(lead!.leadStatus).toBe('pending');
  });

  it('shows each portal its own settings', async () => {
    const mine = await hub.emu.card.fetch({ appId: hub.app.appId, portalId: hub.portalId, userId: 7, userEmail: 'rita@acme.test', url: `${PUBLIC_URL}/hubspot/settings` });
    expect(mine.json).toMatchObject({ account: { id: accountId }, connection: { portalId: hub.portalId, status: 'connected' } });
    expect((mine.json as any).campaigns.map((c: any) => c.name)).toEqual(['Friends of Acme', 'Partners']);
    const theirs = await hub.emu.card.fetch({ appId: hub.app.appId, portalId: foreign.portalId, userId: 1, userEmail: 'boss@globex.test', url: `${PUBLIC_URL}/hubspot/settings` });
    expect((theirs.json as any).campaigns.map((c: any) => c.name)).toEqual(['Globex secret program']);
  });
});
