import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { eventually, startTestApp, type TestApp } from '../support/app.ts';
import { saveConnection } from '../../server/platform/connections.ts';
import { storeInboundEvents, sweepInbox } from '../../server/platform/webhook-inbox.ts';
import { connections, webhookInbox } from '../../server/db/schema.ts';

// The inbox's promises at the moment of acknowledgement: stored once, a job to apply it exists or
// will, and deliveries of one portal arriving together do not queue behind each other.

let t: TestApp;
let connectionId: string;

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  connectionId = (await saveConnection(t.ctx, t.ctx.db, { accountId: t.account.id, provider: 'hubspot', externalId: '515151', tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: new Date(Date.now() + 3600_000) } })).connection.id;
});
afterAll(() => t?.stop());

const applyJobs = async () => Number((await t.database.sql`select count(*)::int as n from pgboss.job where name = 'inbox.apply' and state = 'created' and data->>'connectionId' = ${connectionId}`)[0]!.n);
const events = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ dedupeKey: `${prefix}-${i}`, eventType: 'contact.propertyChange', payload: { i }, occurredAt: new Date() }));

describe('the webhook inbox', () => {
  it('stores ten deliveries of one portal arriving at once, each event once, and leaves exactly one job to apply them', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, k) => storeInboundEvents(t.ctx, 'hubspot', connectionId, events(`burst${k}`, 100))));
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(1000);
    const again = await Promise.all(Array.from({ length: 10 }, (_, k) => storeInboundEvents(t.ctx, 'hubspot', connectionId, events(`burst${k}`, 100))));
    expect(again.every((r) => r.stored === 0 && r.duplicates === 100)).toBe(true);
    expect(await applyJobs()).toBe(1);
    await eventually(async () => {
      const [conn] = await t.ctx.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(conn!.lastWebhookAt).toBeInstanceOf(Date);
    });
  });

  it('gives events whose job was lost (a process killed at the wrong moment) a new job within a minute', async () => {
    await storeInboundEvents(t.ctx, 'hubspot', connectionId, events('stranded', 3));
    await t.database.sql`delete from pgboss.job where name = 'inbox.apply'`;
    await sweepInbox(t.ctx);
    expect(await applyJobs()).toBe(0); // not yet: the job may only be slow
    await t.ctx.db.update(webhookInbox).set({ receivedAt: new Date(Date.now() - 61_000) }).where(eq(webhookInbox.connectionId, connectionId));
    await sweepInbox(t.ctx);
    expect(await applyJobs()).toBe(1);
  });
});
