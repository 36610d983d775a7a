import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { participants, syncRuns, type Connection } from '../../server/db/schema.ts';
import { hubspotProvider } from '../../server/hubspot/module.ts';
import { LIST_PAGE, READ_AHEAD } from '../../server/hubspot/sync-sources.ts';
import { hubspotTick } from '../../server/hubspot/tick.ts';
import { setSyncMode, startSync, type SyncSource } from '../../server/program/syncs.ts';
import { createCampaign, startHub, type Hub } from './harness.ts';

// HubSpot contacts → referrers: all contacts or a list, once or ongoing. Workers are off, so each
// test runs the sync job itself — and can kill it halfway, as a crashed worker would be.

let hub: Hub;
let api: Awaited<ReturnType<Hub['apiFor']>>;
let connection: Connection;
let accountId: string;

beforeAll(async () => {
  hub = await startHub({ workers: false });
  const installed = await hub.install();
  connection = installed.connection;
  accountId = installed.accountId;
  api = await hub.apiFor(accountId);
});
afterAll(() => hub?.stop());
beforeEach(() => {
  hub.emu.faults.clear();
  hub.emu.rateLimits.configure({ max: 110, windowMs: 10_000 });
  hub.emu.rateLimits.reset();
  hub.emu.requestLog.clear();
});

const actor = { type: 'user' as const, source: 'admin' as const, label: 'admin@acme.test' };
async function sync(campaignId: string, source: SyncSource, mode: 'once' | 'ongoing' = 'once') {
  const { run } = await startSync(hub.t.ctx, { accountId, campaignId, connectionId: connection.id, source, mode, actor });
  return run.id;
}
const runOf = async (id: string) => (await hub.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
const members = (campaignId: string) => hub.t.ctx.db.select().from(participants).where(eq(participants.campaignId, campaignId));
function newList(name: string, size: number, emailDomain: string) {
  const listId = hub.emu.ui.createList(hub.portalId, { name, processingType: 'MANUAL' });
  hub.emu.generateContacts(hub.portalId, size, { addToList: { listId }, emailDomain });
  return String(listId);
}

describe('syncing contacts', () => {
  it('enrols all contacts once, with progress, and never trips a rate limit', async () => {
    hub.emu.generateContacts(hub.portalId, 450, { emailDomain: 'all.test' });
    const total = hub.emu.portal(hub.portalId).contactCount;
    const campaign = await createCampaign(api, { name: 'Everyone' });
    const id = await sync(campaign.id, { kind: 'all' });
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(await runOf(id)).toMatchObject({ state: 'completed', done: total, total, failed: 0 });
    expect(await members(campaign.id)).toHaveLength(total);
    expect(hub.emu.requestLog.count({ status: 429 })).toBe(0);
  });

  it('matches people already in the campaign by email and never enrols anyone twice', async () => {
    const campaign = await createCampaign(api, { name: 'No twins' });
    const listId = newList('Twins', 150, 'twins.test');
    const someone = hub.emu.portal(hub.portalId).contact(Number(hub.emu.portal(hub.portalId).list(Number(listId))!.members[3]))!;
    const before = await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: someone.properties.email!.toUpperCase() });
    const first = await sync(campaign.id, { kind: 'list', id: listId });
    await hubspotProvider.runSync(hub.t.ctx, first);
    const second = await sync(campaign.id, { kind: 'list', id: listId });
    await hubspotProvider.runSync(hub.t.ctx, second);
    const people = await members(campaign.id);
    expect(people).toHaveLength(150);
    expect(new Set(people.map((p) => p.email)).size).toBe(150);
    expect(people.find((p) => p.email === someone.properties.email)!.id).toBe(before.body.id);
  });

  it('resumes from its checkpoint after the worker dies halfway, without doubles or re-reading done pages', async () => {
    const campaign = await createCampaign(api, { name: 'Crash' });
    // Long enough that pages read ahead cannot reach its end before HubSpot goes away.
    const SIZE = LIST_PAGE * (READ_AHEAD + 4);
    const listId = newList('Crash list', SIZE, 'crash.test');
    const id = await sync(campaign.id, { kind: 'list', id: listId });
    hub.emu.faults.set({ latencyMs: 60, path: '/crm/v3/lists' });
    const dying = hubspotProvider.runSync(hub.t.ctx, id);
    for (;;) {
      if ((await runOf(id)).done >= LIST_PAGE) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // The worker loses HubSpot for good and its job dies mid-run.
    hub.emu.faults.set({ dropRate: 1, path: '/crm/v3/lists' });
    await expect(dying).rejects.toThrow();
    const crashed = await runOf(id);
    expect(crashed.state).toBe('running');
    expect(crashed.done % LIST_PAGE).toBe(0);
    expect(crashed.done).toBeLessThan(SIZE);
    expect(await members(campaign.id)).toHaveLength(crashed.done);

    hub.emu.faults.clear();
    hub.emu.requestLog.clear();
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(await runOf(id)).toMatchObject({ state: 'completed', done: SIZE, total: SIZE, failed: 0 });
    const people = await members(campaign.id);
    expect(people).toHaveLength(SIZE);
    expect(new Set(people.map((p) => p.email)).size).toBe(SIZE);
    const pages = hub.emu.requestLog.entries({ path: `/crm/v3/lists/${listId}/memberships/join-order` });
    expect(pages).toHaveLength((SIZE - crashed.done) / LIST_PAGE);
    expect(pages[0]!.query).toContain(`after=${encodeURIComponent(crashed.cursor!)}`);
  });

  it('absorbs 429s when HubSpot’s budget is tighter than ours, and loses nobody', async () => {
    const campaign = await createCampaign(api, { name: 'Tight' });
    const listId = newList('Tight list', 500, 'tight.test');
    hub.emu.rateLimits.configure({ max: 4, windowMs: 500 });
    const id = await sync(campaign.id, { kind: 'list', id: listId });
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(hub.emu.requestLog.count({ status: 429 })).toBeGreaterThan(0);
    expect(await runOf(id)).toMatchObject({ state: 'completed', done: 500 });
    expect(await members(campaign.id)).toHaveLength(500);
  });

  it('reports contacts without an email instead of dropping them silently', async () => {
    const campaign = await createCampaign(api, { name: 'No email' });
    const { contacts, lists } = hub.emu.seedPortal(hub.portalId, {
      contacts: [{ key: 'anon', properties: { firstname: 'Anon' } }, { key: 'named', properties: { email: 'named@noemail.test' } }],
      lists: [{ name: 'Mixed', members: ['anon', 'named'] }],
    });
    const id = await sync(campaign.id, { kind: 'list', id: String(lists.Mixed) });
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(await runOf(id)).toMatchObject({ state: 'completed', done: 1, failed: 1, errors: [{ externalId: String(contacts.anon), message: 'has no email address' }] });
  });

  it('fails with the reason when the list no longer exists', async () => {
    const campaign = await createCampaign(api, { name: 'Gone list' });
    const id = await sync(campaign.id, { kind: 'list', id: '987654' });
    await hubspotProvider.runSync(hub.t.ctx, id);
    const run = await runOf(id);
    expect(run.state).toBe('failed');
    expect(run.errors.at(-1)!.message).toMatch(/404/);
  });
});

describe('ongoing syncs', () => {
  it('picks up new list members on the next minute tick, reading only the end of the list', async () => {
    const campaign = await createCampaign(api, { name: 'Ongoing list' });
    const listId = newList('Growing', 230, 'grow.test');
    const id = await sync(campaign.id, { kind: 'list', id: listId }, 'ongoing');
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(await runOf(id)).toMatchObject({ state: 'waiting', done: 230 });

    const added = [0, 1, 2].map((i) => hub.emu.ui.createContact(hub.portalId, { email: `late${i}@grow.test` }));
    hub.emu.ui.addToList(hub.portalId, Number(listId), added);
    hub.emu.requestLog.clear();
    await hub.t.ctx.db.execute(sql`delete from pgboss.job where name = 'sync.run'`);
    await hubspotTick(hub.t.ctx);
    const [job] = await hub.t.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'sync.run' and data->>'syncRunId' = ${id} and state = 'created'`);
    expect(job!.n).toBe(1);
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect(await runOf(id)).toMatchObject({ state: 'waiting', done: 233 });
    expect((await members(campaign.id)).map((p) => p.email)).toEqual(expect.arrayContaining(['late0@grow.test', 'late1@grow.test', 'late2@grow.test']));
    expect(hub.emu.requestLog.count({ path: `/crm/v3/lists/${listId}/memberships/join-order` })).toBe(1);
    const reads = hub.emu.requestLog.entries({ path: '/crm/v3/objects/contacts/batch/read' });
    expect(reads).toHaveLength(1);
  });

  it('enrols a contact created in HubSpot at once, through the creation webhook', async () => {
    const campaign = await createCampaign(api, { name: 'Ongoing all' });
    const id = await sync(campaign.id, { kind: 'all' }, 'ongoing');
    await hubspotProvider.runSync(hub.t.ctx, id);
    const before = await runOf(id);
    hub.emu.ui.createContact(hub.portalId, { email: 'walkin@new.test', firstname: 'Walk', lastname: 'In' });
    await hub.emu.webhooks.settle();
    await hubspotProvider.applyInbox(hub.t.ctx, connection);
    const [p] = await hub.t.ctx.db.select().from(participants).where(and(eq(participants.campaignId, campaign.id), eq(participants.email, 'walkin@new.test')));
    expect(p).toMatchObject({ firstName: 'Walk', lastName: 'In', leadStatus: null });
    expect((await runOf(id)).done).toBe(before.done + 1);
  });

  it('ends after the current pass once ongoing is turned off', async () => {
    const campaign = await createCampaign(api, { name: 'Stop' });
    const id = await sync(campaign.id, { kind: 'list', id: newList('Short', 5, 'stop.test') }, 'ongoing');
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect((await runOf(id)).state).toBe('waiting');
    await setSyncMode(hub.t.ctx.db, accountId, id, 'once');
    await hubspotProvider.runSync(hub.t.ctx, id);
    expect((await runOf(id)).state).toBe('completed');
  });
});
