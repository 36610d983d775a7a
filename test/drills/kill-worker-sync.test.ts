import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { participants, syncRuns } from '../../server/db/schema.ts';
import { LIST_PAGE, READ_AHEAD } from '../../server/hubspot/sync-sources.ts';
import { startSync } from '../../server/program/syncs.ts';
import { eventually } from '../support/app.ts';
import { sleep, startHubspotDrill, type HubspotDrill } from './support/hubspot-drill.ts';

// kill -9 of a worker process in the middle of a HubSpot list sync. Here the worker dies between
// two pages: HubSpot stops answering the member pages, the sync job fails over to its retry, and
// the process is killed while the retry waits. A new worker process takes the retry and must go on
// from the run's checkpoint: no page read twice, nobody enrolled twice, nobody missing. (A kill in
// the middle of a page, found only by pg-boss's 30 s heartbeat, is in the long drills.)

let d: HubspotDrill;

beforeAll(async () => {
  d = await startHubspotDrill({ webhooks: false });
}, 120_000);
afterAll(() => d?.stop());

const runOf = async (id: string) => (await d.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
const jobOf = async (id: string) =>
  (await d.t.database.sql<{ state: string; retry_count: number }[]>`select state, retry_count from pgboss.job where name = 'sync.run' and data->>'syncRunId' = ${id} order by created_on desc limit 1`)[0];

describe('kill -9 of a worker in the middle of a sync', () => {
  it('lets a new worker process resume from the checkpoint: no page read twice, nobody enrolled twice or missed', async () => {
    // Long enough that pages read ahead cannot reach its end before HubSpot goes away; not a whole number of pages.
    const SIZE = LIST_PAGE * (READ_AHEAD + 4) + 100;
    const listId = d.emu.ui.createList(d.portalId, { name: 'Partners to sync', processingType: 'MANUAL' });
    d.emu.generateContacts(d.portalId, SIZE, { addToList: { listId }, emailDomain: 'killsync.test' });
    const campaign = (await d.t.api('POST', '/api/v1/campaigns', { name: 'Killed mid-sync' })).body;

    // HubSpot is slow enough that the sync is still going when it is cut off.
    d.emu.faults.set({ latencyMs: 120, path: '/crm/v3/lists' });
    const first = await d.start('worker');
    const { run } = await startSync(d.t.ctx, { accountId: d.accountId, campaignId: campaign.id, connectionId: d.connection.id, source: { kind: 'list', id: String(listId), name: 'Partners to sync' }, mode: 'once', actor: { type: 'user', source: 'admin', label: 'admin@acme.test' } });
    await eventually(async () => expect((await runOf(run.id)).done).toBeGreaterThanOrEqual(LIST_PAGE), 60_000);

    // HubSpot stops answering the member pages: the job fails between two pages and waits for its retry…
    d.emu.faults.set({ dropRate: 1, path: '/crm/v3/lists' });
    await eventually(async () => expect((await jobOf(run.id))?.state).toBe('retry'), 60_000);
    // …and the worker is killed while it waits.
    await first.kill9();
    const checkpoint = await runOf(run.id);
    expect(checkpoint.state).toBe('running');
    expect(checkpoint.done % LIST_PAGE).toBe(0);
    expect(checkpoint.done).toBeLessThan(SIZE);
    expect(checkpoint.cursor).toBeTruthy();
    const [{ n: enrolledAtKill }] = (await d.t.ctx.db.select({ n: sql<number>`count(*)::int` }).from(participants).where(eq(participants.campaignId, campaign.id))) as [{ n: number }];
    expect(enrolledAtKill).toBe(checkpoint.done);

    d.emu.faults.clear();
    await sleep(50);
    d.emu.requestLog.clear();
    const second = await d.start('worker');
    await eventually(async () => expect(await runOf(run.id)).toMatchObject({ state: 'completed', done: SIZE, total: SIZE, failed: 0 }), 90_000);

    const people = await d.t.ctx.db.select({ email: participants.email }).from(participants).where(eq(participants.campaignId, campaign.id));
    expect(people).toHaveLength(SIZE);
    expect(new Set(people.map((p) => p.email)).size).toBe(SIZE);
    // The new worker started where the dead one's last committed page ended, and read each page once.
    const pages = d.emu.requestLog.entries({ path: `/crm/v3/lists/${listId}/memberships/join-order` });
    expect(pages).toHaveLength(Math.ceil((SIZE - checkpoint.done) / LIST_PAGE));
    expect(pages[0]!.query).toContain(`after=${encodeURIComponent(checkpoint.cursor!)}`);
    expect(second.alive()).toBe(true);
  }, 240_000);
});
