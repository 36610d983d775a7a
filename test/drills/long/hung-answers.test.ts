import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { connections, participants, syncRuns } from '../../../server/db/schema.ts';
import { startSync } from '../../../server/program/syncs.ts';
import { createCampaign } from '../../../server/program/campaigns.ts';
import { eventually } from '../../support/app.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from '../../intercom/harness.ts';
import { signedInCookies } from '../../intercom/session.ts';
import { sleep, startHubspotDrill, type HubspotDrill } from '../support/hubspot-drill.ts';

// Long drill: a CRM that accepts a request and never answers it. Refcard gives up at its own
// deadline (20 s; neither SDK has a useful one of its own), counts it as a transient failure and
// tries again — the sync neither hangs nor loses its place, and the connection stays connected.

let d: HubspotDrill;
let h: Harness;

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: false });
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await d?.stop();
  await h?.stop();
});

describe('a CRM answer that never comes', () => {
  it('HubSpot: a member page that hangs is abandoned at the deadline and read again; the sync completes, connected', async () => {
    const listId = d.emu.ui.createList(d.portalId, { name: 'Hanging', processingType: 'MANUAL' });
    d.emu.generateContacts(d.portalId, 300, { addToList: { listId }, emailDomain: 'hang.test' });
    const campaign = (await d.t.api('POST', '/api/v1/campaigns', { name: 'Hung answers' })).body;
    const worker = await d.start('worker');
    // The first member page takes 40 s to answer; by the time it is asked again, HubSpot is fine.
    d.emu.faults.set({ latencyMs: 40_000, path: `/crm/v3/lists/${listId}/memberships` });
    const t0 = Date.now();
    const { run } = await startSync(d.t.ctx, { accountId: d.accountId, campaignId: campaign.id, connectionId: d.connection.id, source: { kind: 'list', id: String(listId), name: 'Hanging' }, mode: 'once', actor: { type: 'user', source: 'admin', label: 'admin@acme.test' } });
    // (a hanging request is logged only once answered: the run turning `running` says it was asked)
    await eventually(async () => expect((await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]!.state).toBe('running'), 60_000);
    await sleep(1_500);
    d.emu.faults.clear();
    await eventually(async () => expect((await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]).toMatchObject({ state: 'completed', done: 300, failed: 0 }), 120_000);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`HubSpot hang: the sync completed after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeGreaterThan(19);
    expect(seconds).toBeLessThan(90);
    const [{ n }] = (await d.t.ctx.db.select({ n: sql<number>`count(distinct ${participants.email})::int` }).from(participants).where(eq(participants.campaignId, campaign.id))) as [{ n: number }];
    expect(n).toBe(300);
    expect((await d.t.ctx.db.select().from(connections).where(eq(connections.id, d.connection.id)))[0]).toMatchObject({ status: 'connected', statusReason: null });
    await worker.stop();
  }, 300_000);

  it('Intercom: a segment search that hangs is abandoned at the deadline and asked again; the sync completes, connected', async () => {
    const W = 'hangws01';
    h.emu.createWorkspace({ idCode: W, name: 'Hanging Co' });
    h.emu.seedWorkspace(W, { tags: ['Fan'], segments: [{ name: 'Fans', tag: 'Fan' }] });
    h.emu.generateContacts(W, 200, { tags: { Fan: 1 }, seed: 21 });
    expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
    const conn = await connectionOf(h, W);
    const campaign = await h.t.ctx.db.transaction((tx) => createCampaign(tx, conn.accountId, { name: 'Hung fans' }, { type: 'system', source: 'system' }));
    h.emu.faults.set({ hangMs: 40_000 });
    h.emu.faults.failNext(1, 'timeout', { method: 'POST', path: '/contacts/search' });
    const t0 = Date.now();
    const { run } = await startSync(h.t.ctx, { accountId: conn.accountId, campaignId: campaign.id, connectionId: conn.id, source: { kind: 'segment', id: h.emu.segments(W)[0]!.id as string }, mode: 'once', actor: { type: 'system', source: 'admin' } });
    await eventually(async () => expect((await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]).toMatchObject({ state: 'completed', done: 200, failed: 0 }), 120_000);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`Intercom hang: the sync completed after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeGreaterThan(19);
    expect(h.emu.requestLog.count((e) => e.fault === 'timeout')).toBeGreaterThanOrEqual(1);
    expect(await connectionOf(h, W)).toMatchObject({ status: 'connected', statusReason: null });
  }, 300_000);
});
