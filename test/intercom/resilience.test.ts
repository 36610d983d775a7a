import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { eventually } from '../support/app.ts';
import { crmPushQueue, syncRuns } from '../../server/db/schema.ts';
import { startSync } from '../../server/program/syncs.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from './harness.ts';
import { signedInCookies } from './session.ts';

// What goes wrong with Intercom in real life, with the job workers running as in production:
// an admin revokes Refcard's access, and Intercom answers 429 to a burst of work.

const REVOKED = 'revokews';
const STORM = 'stormws1';
let h: Harness;
let campaignId: string;

beforeAll(async () => {
  h = await startHarness();
  h.emu.createWorkspace({ idCode: REVOKED, name: 'Revoking Co' });
  h.emu.createWorkspace({ idCode: STORM, name: 'Busy Co' });
  h.emu.seedWorkspace(REVOKED, { contacts: [{ email: 'rita@revoke.example', name: 'Rita Referrer', role: 'user' }] });
  h.emu.seedWorkspace(STORM, { tags: ['Ambassador'], segments: [{ name: 'Ambassadors', tag: 'Ambassador' }] });
  h.emu.generateContacts(STORM, 80, { tags: { Ambassador: 1 }, seed: 3 });
  campaignId = (await h.t.api('POST', '/api/v1/campaigns', { name: 'Resilient' })).body.id;
});
afterAll(() => h?.stop());

const install = async (ws: string, signedIn = true) => {
  const out = await installThroughOAuth(h, ws, signedIn ? { cookies: await signedInCookies(h, h.t.account.id) } : {});
  expect(out.status).toBe(302);
  return connectionOf(h, ws);
};

describe('when Intercom access is revoked or Intercom pushes back', () => {
  it('marks the connection disconnected on a 401, keeps the pending work, and finishes it after reinstalling', async () => {
    const conn = await install(REVOKED);
    const rita = (await h.t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'rita@revoke.example' })).body;
    await eventually(() => expect(h.emu.findContactsByEmail(REVOKED, 'rita@revoke.example')[0]!.custom_attributes.referral_code).toBe(rita.code));

    h.emu.uninstall(h.clientId, REVOKED);
    await h.t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'pal@friends.example', referral_code: rita.code });
    await eventually(async () => expect(await connectionOf(h, REVOKED)).toMatchObject({ status: 'disconnected', statusReason: expect.stringMatching(/401.*Install Refcard again/) }));
    const pending = await h.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, conn.id));
    expect(pending.map((r) => r.participantId)).toContain(rita.id);

    // No retry storm against a dead token: a sync started now pauses, and later changes wait quietly.
    const { run } = await startSync(h.t.ctx, { accountId: h.t.account.id, campaignId, connectionId: conn.id, source: { kind: 'all' }, mode: 'once', actor: { type: 'system', source: 'admin' } });
    await eventually(async () => expect((await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]!.state).toBe('paused'));
    const refusals = h.emu.requestLog.count({ workspace: REVOKED, status: 401 });
    await h.t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'pal2@friends.example', referral_code: rita.code });
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.emu.requestLog.count({ workspace: REVOKED, status: 401 })).toBe(refusals);

    await install(REVOKED);
    expect(await connectionOf(h, REVOKED)).toMatchObject({ status: 'connected', statusReason: null });
    await eventually(() => expect(h.emu.findContactsByEmail(REVOKED, 'rita@revoke.example')[0]!.custom_attributes).toMatchObject({ referrals_count: 2 }), 15_000);
    await eventually(async () => expect(await h.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, conn.id))).toEqual([]));
    await eventually(async () => expect((await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]!.state).toBe('completed'), 15_000);
  });

  it('loses nothing when Intercom answers a burst of work with 429s: every member synced, every attribute written', async () => {
    h.emu.setRateLimits({ perAppPerMinute: 120, windowMs: 1000 }); // 20 calls a second
    try {
      // Busy Co installs on its own, as a Refcard account of its own.
      const conn = await install(STORM, false);
      const own = await h.t.ctx.db.transaction((tx) => createCampaign(tx, conn.accountId, { name: 'Busy ambassadors' }, { type: 'system', source: 'system' }));
      const segmentId = h.emu.segments(STORM)[0]!.id as string;
      const { run } = await startSync(h.t.ctx, { accountId: conn.accountId, campaignId: own.id, connectionId: conn.id, source: { kind: 'segment', id: segmentId }, mode: 'once', actor: { type: 'system', source: 'admin' } });
      await eventually(async () => expect((await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, run.id)))[0]).toMatchObject({ state: 'completed', done: 80 }), 20_000);
      await eventually(() => {
        const contacts = [...h.emu.store.workspace(STORM).contacts.values()];
        expect(contacts.filter((c) => !c.custom_attributes.referral_link)).toEqual([]);
      }, 30_000);
      const limited = h.emu.requestLog.count({ workspace: STORM, status: 429 });
      console.log(`429 storm: ${limited} answers were 429, ${h.emu.requestLog.count({ workspace: STORM, status: 200 })} succeeded`);
      expect(limited).toBeGreaterThan(0);
      await eventually(async () => expect(await h.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, conn.id))).toEqual([]));
    } finally {
      h.emu.setRateLimits({ perAppPerMinute: 10_000, windowMs: 10_000 });
    }
  });
});
