import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app.ts';
import { errorText, failsEveryTime } from '../../server/db/errors.ts';

// Which failures of an inbound event are worth retrying and which would come back every time
// (and so must not hold up the events after it): decided on real PostgreSQL errors, as drizzle
// hands them over.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: false });
});
afterAll(() => t?.stop());

const failureOf = (p: Promise<unknown>) => p.then(() => expect.fail('the statement succeeded'), (err: unknown) => err);

describe('a failed event', () => {
  it('is set aside when the database refuses its data, or when the code has a bug', async () => {
    expect(failsEveryTime(await failureOf(t.ctx.db.execute(sql`select 1 / 0`)))).toBe(true); // 22012
    expect(failsEveryTime(await failureOf(t.ctx.db.execute(sql`select ${'not a uuid'}::uuid`)))).toBe(true); // 22P02
    expect(failsEveryTime(await failureOf(t.ctx.db.execute(sql`insert into accounts (id) values (null)`)))).toBe(true); // 23502
    expect(failsEveryTime(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(true);
  });

  it('is retried when the failure may pass: a timeout, a lost connection, a CRM that cannot be reached', async () => {
    const timedOut = await failureOf(t.ctx.db.transaction(async (tx) => {
      await tx.execute(sql`set local statement_timeout = 10`);
      await tx.execute(sql`select pg_sleep(1)`);
    }));
    expect(errorText(timedOut)).toMatch(/statement timeout \(SQLSTATE 57014\)/);
    expect(failsEveryTime(timedOut)).toBe(false);
    const killed = await failureOf(t.ctx.db.execute(sql`select pg_terminate_backend(pg_backend_pid())`));
    expect(failsEveryTime(killed)).toBe(false);
    expect(failsEveryTime(new Error('HubSpot answered 503'))).toBe(false);
  });

  it('is described by PostgreSQL’s own message and code, not by the whole statement with every parameter', async () => {
    const err = await failureOf(t.ctx.db.execute(sql`select ${'rk_live_secret'}::text as key, ${'ann'}::int as n`));
    expect(String((err as Error).message)).toContain('rk_live_secret');
    expect(errorText(err)).toBe('invalid input syntax for type integer: "ann" (SQLSTATE 22P02)');
  });
});
