import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditEvents, crmPushQueue, participants, syncRuns, type SyncRun } from '../../server/db/schema.ts';
import { setSyncMode, startSync } from '../../server/program/syncs.ts';
import { intercomProvider } from '../../server/intercom/module.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from './harness.ts';
import { signedInCookies } from './session.ts';

// Segments as referrers. Driven job by job (no background workers) so each step is observable:
// a crash between pages, a minute tick, a second pass over the same segment.

const W = 'syncws01';
let h: Harness;
let segmentId: string;
let connectionId: string;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  h = await startHarness({ workers: false });
  h.emu.createWorkspace({ idCode: W, name: 'Sync Co' });
  const seeded = h.emu.seedWorkspace(W, {
    dataAttributes: [{ name: 'plan', data_type: 'string' }],
    segments: [{ name: 'Pro customers', attributes: { plan: 'Pro' } }],
    contacts: [{ email: 'lead@visitors.example', role: 'lead', name: 'Lee Visitor' }],
  });
  segmentId = seeded.segments['Pro customers']!;
  // 400 users after the seeded lead (indexes 1–400): 350 of them Pro
  h.emu.generateContacts(W, 400, { attributes: { plan: (i) => (i <= 350 ? 'Pro' : 'Free') }, seed: 7 });
  expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
  connectionId = (await connectionOf(h, W)).id;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});
afterAll(() => h?.stop());

const campaign = async (name: string) => (await h.t.api('POST', '/api/v1/campaigns', { name })).body.id as string;
const start = (campaignId: string, source: SyncRun['source'], mode: 'once' | 'ongoing' = 'once') =>
  startSync(h.t.ctx, { accountId: h.t.account.id, campaignId, connectionId, source, mode, actor: { type: 'user', id: 'a', label: 'admin', source: 'admin' } }).then((r) => r.run);
const runOf = async (id: string) => (await h.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
const count = async (campaignId: string) =>
  ((await h.t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(participants).where(eq(participants.campaignId, campaignId))) as [{ n: number }])[0].n;

describe('syncing an Intercom segment as referrers', () => {
  it('resumes after the worker dies mid-sync from the last page it finished, enrolling nobody twice', async () => {
    const campaignId = await campaign('Pro advocates');
    const run = await start(campaignId, { kind: 'segment', id: segmentId, name: 'Pro customers' });
    let searches = 0;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/contacts/search') && ++searches >= 2) throw new Error('worker killed');
      return realFetch(input, init);
    }) as typeof fetch;
    await expect(intercomProvider.runSync(h.t.ctx, run.id)).rejects.toThrow();
    globalThis.fetch = realFetch;

    // progress as the console reads it: one page of three done
    const halfway = await runOf(run.id);
    expect(halfway).toMatchObject({ state: 'running', done: 150, total: 350, failed: 0 });
    expect(halfway.cursor).toBeTruthy();
    expect(await count(campaignId)).toBe(150);

    h.emu.requestLog.clear();
    await intercomProvider.runSync(h.t.ctx, run.id);
    expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: 350, total: 350, cursor: null });
    expect(await count(campaignId)).toBe(350);
    // the pages already enrolled were not read again
    expect(h.emu.requestLog.count({ method: 'POST', path: '/contacts/search' })).toBe(2);
    const [{ n }] = (await h.t.ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(and(eq(auditEvents.campaignId, campaignId), eq(auditEvents.action, 'referrer.created')))) as [{ n: number }];
    expect(n).toBe(350);
  });

  it('keeps an ongoing sync waiting and, at the next minute tick, picks up people who joined the segment', async () => {
    const campaignId = await campaign('Ongoing advocates');
    const run = await start(campaignId, { kind: 'segment', id: segmentId }, 'ongoing');
    await intercomProvider.runSync(h.t.ctx, run.id);
    expect(await runOf(run.id)).toMatchObject({ state: 'waiting', done: 350 });
    await h.t.ctx.db.delete(crmPushQueue);

    // Five people join the segment (no webhook: Intercom has none for segments).
    h.emu.generateContacts(W, 5, { attributes: { plan: 'Pro' }, seed: 8, emailDomain: 'joined.example' });
    await intercomProvider.tick(h.t.ctx);
    expect((await runOf(run.id)).state).toBe('waiting'); // the last pass just ended
    await h.t.ctx.db.update(syncRuns).set({ updatedAt: new Date(Date.now() - 35_000) }).where(eq(syncRuns.id, run.id));
    await intercomProvider.tick(h.t.ctx);
    expect((await runOf(run.id)).state).toBe('queued');
    await intercomProvider.runSync(h.t.ctx, run.id);

    expect(await runOf(run.id)).toMatchObject({ state: 'waiting', done: 355, total: 355 });
    expect(await count(campaignId)).toBe(355);
    // only the newcomers are queued for an attribute write: the pass did not re-push the segment
    expect((await h.t.ctx.db.select().from(crmPushQueue)).length).toBe(5);
  });

  it('finishes an ongoing sync switched to one-time at the next tick', async () => {
    const campaignId = await campaign('Switched off');
    const run = await start(campaignId, { kind: 'segment', id: segmentId }, 'ongoing');
    await intercomProvider.runSync(h.t.ctx, run.id);
    await setSyncMode(h.t.ctx.db, h.t.account.id, run.id, 'once');
    await intercomProvider.tick(h.t.ctx);
    expect(await runOf(run.id)).toMatchObject({ state: 'completed', finishedAt: expect.any(Date) });
  });

  it('syncs all users but no leads when the source is the whole workspace', async () => {
    const campaignId = await campaign('Everyone');
    const run = await start(campaignId, { kind: 'all' });
    await intercomProvider.runSync(h.t.ctx, run.id);
    expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: 405, total: 405 });
    expect(await count(campaignId)).toBe(405);
    expect((await h.t.api('GET', `/api/v1/participants/lead@visitors.example?campaign_id=${campaignId}`)).status).toBe(404);
  });

  it('fails clearly on a segment that does not exist, instead of syncing nobody', async () => {
    const run = await start(await campaign('Typo'), { kind: 'segment', id: 'seg-missing' });
    await intercomProvider.runSync(h.t.ctx, run.id);
    expect(await runOf(run.id)).toMatchObject({ state: 'failed', errors: [{ externalId: 'seg-missing', message: expect.stringContaining('does not exist') }] });
  });
});
