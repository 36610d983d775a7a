import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { eventually } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startJobs, type Jobs } from '../../server/jobs/jobs.ts';
import { QUEUES } from '../../server/jobs/queues.ts';

// Wakeup queues (push, apply): one drain per connection at a time across processes, and a wakeup
// that arrives during a drain runs right after it, not after pg-boss's cached "busy" list expires
// (which used to hold a connection's next job ~20 s).

interface Run {
  connectionId: string;
  worker: string;
  start: number;
  end?: number;
}

let database: TestDatabase;
const workers: Jobs[] = [];
const runs: Run[] = [];
const drainMs = new Map<string, number>();

beforeAll(async () => {
  database = await createTestDatabase();
  const log = pino({ level: 'silent' });
  for (const name of ['one', 'two']) {
    const jobs = await startJobs(database.url, log, { max: 4 });
    await jobs.work({
      [QUEUES.inboxApply]: async (job) => {
        const run: Run = { connectionId: String(job.data.connectionId), worker: name, start: Date.now() };
        runs.push(run);
        await new Promise((r) => setTimeout(r, drainMs.get(run.connectionId) ?? 50));
        run.end = Date.now();
      },
    });
    workers.push(jobs);
  }
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  await database?.close();
});

const wake = (connectionId: string) => workers[0]!.wake(database.db, QUEUES.inboxApply, connectionId);
const runsOf = (connectionId: string) => runs.filter((r) => r.connectionId === connectionId);

describe('wakeup queues', () => {
  it('run a wakeup that arrives during a drain of the same connection within a second or two of that drain ending', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    drainMs.set(id, 2_000);
    await wake(id);
    await eventually(() => expect(runsOf(id)).toHaveLength(1));
    await wake(id);
    await eventually(() => expect(runsOf(id).length).toBeGreaterThanOrEqual(2), 15_000);
    const [first, second] = runsOf(id);
    expect(second!.start).toBeGreaterThanOrEqual(first!.end!);
    expect(second!.start - first!.end!).toBeLessThan(3_000);
  });

  it('never let two drains of one connection overlap, across processes, while other connections run alongside', async () => {
    const busy = '00000000-0000-4000-8000-000000000002';
    const other = '00000000-0000-4000-8000-000000000003';
    drainMs.set(busy, 300);
    for (let i = 0; i < 20; i++) {
      await Promise.all([wake(busy), workers[1]!.wake(database.db, QUEUES.inboxApply, busy)]);
      if (i === 5) await wake(other);
      await new Promise((r) => setTimeout(r, 40));
    }
    await eventually(() => expect(runsOf(busy).every((r) => r.end !== undefined)).toBe(true), 15_000);
    const mine = runsOf(busy).sort((a, b) => a.start - b.start);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.start, `drain ${i} began before drain ${i - 1} ended`).toBeGreaterThanOrEqual(mine[i - 1]!.end!);
    // wakeups coalesce: far fewer drains than wakeups, and the last wakeup was not lost
    expect(mine.length).toBeLessThan(40);
    const [otherRun] = runsOf(other);
    expect(otherRun, 'the other connection was held back by the busy one').toBeDefined();
    expect(otherRun!.start).toBeLessThan(mine.at(-1)!.start);
  });
});
