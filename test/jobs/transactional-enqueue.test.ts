import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { enrolReferrer } from '../../server/program/participants.ts';
import { systemActor } from '../../server/program/actor.ts';

let t: TestApp;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  campaignId = (await t.api('POST', '/api/v1/campaigns', { name: 'Tx' })).body.id;
  await t.api('POST', '/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/never' });
});
afterAll(() => t?.stop());

const jobCount = async () => Number((await t.database.sql`select count(*)::int as n from pgboss.job where name = 'outbound.deliver'`)[0]!.n);

describe('jobs are enqueued in the transaction that causes them', () => {
  it('a committed enrolment leaves its delivery job behind', async () => {
    const before = await jobCount();
    await t.ctx.db.transaction((tx) => enrolReferrer(t.ctx, tx, { accountId: t.account.id, campaignId, email: 'kept@tx.example', source: 'api', actor: systemActor() }));
    expect(await jobCount()).toBe(before + 1);
  });

  it('a rolled-back enrolment leaves neither the participant nor any job', async () => {
    const before = await jobCount();
    await expect(
      t.ctx.db.transaction(async (tx) => {
        await enrolReferrer(t.ctx, tx, { accountId: t.account.id, campaignId, email: 'gone@tx.example', source: 'api', actor: systemActor() });
        throw new Error('boom after the write');
      }),
    ).rejects.toThrow('boom');
    expect(await jobCount()).toBe(before);
    const rows = await t.database.sql`select 1 from participants where email = 'gone@tx.example'`;
    expect(rows).toHaveLength(0);
  });
});
