import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { crmLinks, participants, rewards, syncRuns } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { HUBSPOT_PROPERTIES } from '../../shared/campaign.ts';
import { eventually } from '../support/app.ts';
import { startReceiver } from '../support/receiver.ts';
import { createCampaign, PUBLIC_URL, startHub, type Hub } from './harness.ts';

// The "done when", driven as HubSpot would drive it: an admin installs through the real
// redirect flow, syncs a list of 1,000 contacts, a friend signs up on a referral page, the rep
// opens the card, and a deal dragged to the rule's stage qualifies the friend.

let hub: Hub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  hub = await startHub();
  receiver = await startReceiver();
});
afterAll(async () => {
  await hub?.stop();
  await receiver?.close();
});

describe('a referral program run inside HubSpot', () => {
  it('installs, syncs a list of 1,000 referrers, shows the friend they refer on the card and qualifies them when the deal is won', async () => {
    const portal = hub.emu.portal(hub.portalId);

    // Install: our install URL → HubSpot consent → our callback → the console.
    const installed = await hub.install();
    expect(installed.status).toBe(302);
    expect(installed.location).toBe('/admin');
    expect(installed.connection).toMatchObject({ provider: 'hubspot', status: 'connected', externalId: String(hub.portalId) });
    for (const p of HUBSPOT_PROPERTIES) expect(portal.property('contacts', p.name)).toMatchObject({ groupName: 'refcard', formField: true, type: p.type });

    const api = await hub.apiFor(installed.accountId);
    const campaign = await createCampaign(api, {
      name: 'Friends of Acme',
      reward_rules: [{ id: 'bounty', name: '$50 per friend', recipient: 'referrer', amountCents: 5000, currency: 'USD' }],
      qualification_rules: [{ id: 'won', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' }],
    });

    // A list of 1,000 contacts becomes 1,000 referrers, each with a link in HubSpot.
    const { lists } = hub.emu.seedPortal(hub.portalId, { lists: [{ name: 'Happy customers', processingType: 'MANUAL' }] });
    const listId = lists['Happy customers']!;
    hub.emu.generateContacts(hub.portalId, 1000, { addToList: { listId } });
    const syncStarted = Date.now();
    const { run } = await startSync(hub.t.ctx, {
      accountId: installed.accountId,
      campaignId: campaign.id,
      connectionId: installed.connection.id,
      source: { kind: 'list', id: String(listId), name: 'Happy customers' },
      mode: 'once',
      actor: { type: 'user', source: 'admin', label: 'admin@acme.test' },
    });
    const synced = await eventually(async () => {
      const [r] = await hub.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
      expect(r!.state).toBe('completed');
      return r!;
    }, 30_000);
    expect(synced).toMatchObject({ done: 1000, total: 1000, failed: 0 });
    const linked = await hub.t.ctx.db
      .select({ code: participants.code, contactId: crmLinks.externalId })
      .from(participants)
      .innerJoin(crmLinks, eq(crmLinks.participantId, participants.id))
      .where(eq(participants.campaignId, campaign.id));
    expect(linked).toHaveLength(1000);
    await eventually(() => {
      for (const l of linked) expect(portal.contact(Number(l.contactId))!.properties.refcard_referral_link).toBe(`${PUBLIC_URL}/r/${l.code}`);
    }, 30_000);
    const syncSeconds = (Date.now() - syncStarted) / 1000;
    expect(syncSeconds).toBeLessThan(20);
    console.log(`sync of 1,000 + write-back: ${syncSeconds.toFixed(1)} s`);

    // The customer's own system listens for the program's events from here on.
    expect((await api('POST', '/api/v1/webhook-endpoints', { url: receiver.url })).status).toBe(201);

    // A friend signs up on the first referrer's page → a contact appears in HubSpot, with their name.
    const referrer = linked[0]!;
    const referrerContact = Number(referrer.contactId);
    const referrerEmail = portal.contact(referrerContact)!.properties.email!;
    const signup = await hub.t.app.request(`/r/${referrer.code}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ first_name: 'Fred', last_name: 'Friend', email: 'fred@friends.test', consent: 'yes' }),
    });
    expect(signup.status).toBe(201);
    const fred = await eventually(() => {
      const c = portal.contact('fred@friends.test');
      expect(c?.properties).toMatchObject({ firstname: 'Fred', lastname: 'Friend', refcard_referred_by: referrerEmail, refcard_referral_status: 'pending', refcard_campaign: 'Friends of Acme' });
      expect(portal.contact(referrerContact)!.properties.refcard_referrals).toBe('1');
      return c!;
    });

    // The rep opens the referrer's record: the card shows Fred, from PostgreSQL alone.
    const callsBefore = hub.emu.requestLog.count();
    const started = performance.now();
    const card = await hub.card(referrerContact);
    const cardMs = performance.now() - started;
    expect(card.status).toBe(200);
    expect(card.json.enrolment.referrer.leads).toEqual([expect.objectContaining({ email: 'fred@friends.test', status: 'pending', name: 'Fred Friend' })]);
    expect(card.json.enrolment.referrer.stats).toMatchObject({ referrals: 1, pending: 1, qualified: 0 });
    expect(hub.emu.requestLog.count()).toBe(callsBefore);
    expect(cardMs).toBeLessThan(500);
    console.log(`card for a known contact: ${cardMs.toFixed(0)} ms`);
    const fredCard = await hub.card(fred.id);
    expect(fredCard.json.enrolment.lead).toMatchObject({ status: 'pending', referredBy: { email: referrerEmail } });

    // The deal with Fred on it is dragged to Closed won.
    const dealId = hub.emu.ui.createDeal(hub.portalId, { dealname: 'Fred’s first order', pipeline: 'default', dealstage: 'appointmentscheduled' }, { contacts: [fred.id] });
    hub.emu.ui.moveDealStage(hub.portalId, dealId, 'closedwon');

    await eventually(async () => {
      const [lead] = await hub.t.ctx.db.select().from(participants).where(and(eq(participants.campaignId, campaign.id), eq(participants.email, 'fred@friends.test')));
      expect(lead).toMatchObject({ leadStatus: 'qualified', statusSource: 'hubspot_deal_stage' });
      expect(await hub.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, lead!.id))).toHaveLength(1);
      expect(portal.contact(referrerContact)!.properties).toMatchObject({ refcard_qualified_referrals: '1', refcard_rewards_earned: '1' });
      expect(portal.contact(fred.id)!.properties.refcard_referral_status).toBe('qualified');
      const types = receiver.received.map((r) => JSON.parse(r.body).type);
      expect(types).toEqual(expect.arrayContaining(['lead.created', 'lead.qualified', 'reward.issued']));
    }, 20_000);
    const afterCard = await hub.card(referrerContact);
    expect(afterCard.json.enrolment.referrer.stats).toMatchObject({ referrals: 1, qualified: 1, rewardsEarned: 1 });

    // Paced under HubSpot's limits throughout.
    expect(hub.emu.requestLog.count({ status: 429 })).toBe(0);
  });
});
