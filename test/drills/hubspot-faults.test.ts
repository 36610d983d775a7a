import { describe, expect, it } from 'vitest';
import { startSync } from '../../server/program/syncs.ts';
import { eventually } from '../support/app.ts';
import { actor, useFaultyHub } from './support/faulty-hub.ts';
import { createCampaign } from '../hubspot/harness.ts';

// HubSpot misbehaving the ways it really does — 429 storms, a share of 5xx, slow answers, dropped
// connections, access tokens that die early — on the sync, the write-back and the card at once,
// with the job workers running as in production (the apply path and an uninstall: hubspot-outage).
// Nothing may be lost, nothing done twice, and the connection's status must say what is true.
// (Single faults on one path are in test/hubspot/*; these are the combinations.)

const drill = useFaultyHub();
const { api, portal, runOf, conn, pushQueue, newList, expectEnrolledOnceWithLinks } = drill;

describe('HubSpot failing in several ways at once', () => {
  it('syncs a list and writes every link back through 10% 5xx, dropped connections, slow answers and a 429 storm, and stays connected', async () => {
    const SIZE = 600;
    const campaign = await createCampaign(api, { name: 'Stormy sync' });
    const listId = newList('Stormy', SIZE, 'stormy.test');
    // (the first answers are sure to be a 429, a 503 and a 429; then 10% 5xx and 3% drops at random)
    drill.hub.emu.faults.set({ nextStatuses: [429, 503, 429], errorRate: 0.1, dropRate: 0.03, latencyMs: [5, 80], path: '/crm/' });
    // HubSpot's budget for this portal is far below what Refcard paces itself to: a 429 storm.
    drill.hub.emu.rateLimits.configure({ max: 5, windowMs: 1000 });
    const { run } = await startSync(drill.hub.t.ctx, { accountId: drill.connection.accountId, campaignId: campaign.id, connectionId: drill.connection.id, source: { kind: 'list', id: listId, name: 'Stormy' }, mode: 'once', actor });
    await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: SIZE, total: SIZE, failed: 0 }), 90_000);
    await eventually(async () => expect(await pushQueue()).toEqual([]), 90_000);
    await expectEnrolledOnceWithLinks(campaign.id, listId, SIZE);
    const log = drill.hub.emu.requestLog.entries();
    const n = (pred: (s: number) => boolean) => log.filter((e) => pred(e.status)).length;
    console.log(`stormy sync: ${log.length} calls, ${n((s) => s === 429)} answered 429, ${n((s) => s >= 500)} answered 5xx`);
    expect(n((s) => s === 429)).toBeGreaterThan(0);
    expect(n((s) => s >= 500)).toBeGreaterThan(0);
    expect(await conn()).toMatchObject({ status: 'connected', statusReason: null, refreshFailures: 0 });
  }, 120_000);

  it('keeps syncing when access tokens die early (the clock jumps past their life between pages), refreshing them and staying connected', async () => {
    const SIZE = 600;
    const campaign = await createCampaign(api, { name: 'Short-lived tokens' });
    const listId = newList('Expiring', SIZE, 'expiring.test');
    drill.hub.emu.faults.set({ latencyMs: 120, path: '/crm/' });
    const { run } = await startSync(drill.hub.t.ctx, { accountId: drill.connection.accountId, campaignId: campaign.id, connectionId: drill.connection.id, source: { kind: 'list', id: listId, name: 'Expiring' }, mode: 'once', actor });
    // Every 300 ms HubSpot's clock moves 31 minutes: whatever token Refcard holds has just expired.
    let jumps = 0;
    const timer = setInterval(() => {
      drill.hub.emu.advanceClock(31 * 60_000);
      jumps++;
    }, 300);
    try {
      await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: SIZE }), 90_000);
      await eventually(async () => expect(await pushQueue()).toEqual([]), 90_000);
    } finally {
      clearInterval(timer);
    }
    await expectEnrolledOnceWithLinks(campaign.id, listId, SIZE);
    const expired = drill.hub.emu.requestLog.count({ status: 401 });
    const refreshes = drill.hub.emu.requestLog.count({ path: '/oauth/v1/token' });
    console.log(`expiring tokens: ${jumps} clock jumps, ${expired} calls answered 401, ${refreshes} refreshes`);
    expect(expired).toBeGreaterThan(0);
    expect(refreshes).toBeGreaterThanOrEqual(2);
    expect(await conn()).toMatchObject({ status: 'connected', statusReason: null, refreshFailures: 0 });
  }, 120_000);

  it('answers the card with a 503 problem while HubSpot fails, and a 5xx from HubSpot never disconnects the portal', async () => {
    const stranger = drill.hub.emu.ui.createContact(drill.hub.portalId, { email: 'stranger@flaky.test' });
    drill.hub.emu.faults.set({ errorRate: 1, path: '/crm/v3/objects/contacts' });
    const card = await drill.hub.card(stranger);
    expect(card.status).toBe(503);
    expect(card.json).toMatchObject({ status: 503, code: 'hubspot_unavailable' });
    drill.hub.emu.faults.set({ dropRate: 1, path: '/crm/v3/objects/contacts' });
    expect((await drill.hub.card(stranger)).status).toBe(503);
    expect(await conn()).toMatchObject({ status: 'connected', statusReason: null });
    drill.hub.emu.faults.clear();
    expect((await drill.hub.card(stranger)).status).toBe(200);
  }, 60_000);

});
