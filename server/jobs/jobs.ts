import { PgBoss, fromDrizzle, type Job, type SendOptions } from 'pg-boss';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { QUEUES, QUEUE_OPTIONS, type QueueName } from './queues.ts';
import type { Logger } from '../log.ts';

export type JobHandler = (job: Job<Record<string, unknown>>) => Promise<void>;

export interface Jobs {
  boss: PgBoss;
  /**
   * Enqueue inside the caller's transaction: the job exists if and only if the transaction commits.
   * Pass the pool (not a transaction) only for work that follows no write.
   */
  send(q: Queryable, queue: QueueName, data: object, options?: SendOptions): Promise<string | null>;
  /** start workers for the given handlers in this process */
  work(handlers: Partial<Record<QueueName, JobHandler>>, opts?: { concurrency?: Partial<Record<QueueName, number>> }): Promise<void>;
  stop(): Promise<void>;
}

export const BOSS_SCHEMA = 'pgboss';

export async function startJobs(url: string, log: Logger, opts: { max?: number } = {}): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, schema: BOSS_SCHEMA, max: opts.max ?? 6, application_name: 'refcard-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job system error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, QUEUE_OPTIONS[name]).catch(ignoreExists);
  }
  const workers: string[] = [];
  return {
    boss,
    send: (q, queue, data, options = {}) => boss.send(queue, data, { ...options, db: fromDrizzle(q as never, sql) }),
    async work(handlers, workOpts = {}) {
      for (const [queue, handler] of Object.entries(handlers) as [QueueName, JobHandler][]) {
        const id = await boss.work<Record<string, unknown>>(
          queue,
          { batchSize: 1, localConcurrency: workOpts.concurrency?.[queue] ?? 2, pollingIntervalSeconds: 1 },
          async ([job]) => {
            try {
              await handler(job!);
            } catch (err) {
              log.warn({ err, queue, jobId: job!.id }, 'job failed; it will be retried with back-off');
              throw err;
            }
          },
        );
        workers.push(id);
      }
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

// Two processes creating the same queue at the same moment: the loser's error is harmless.
function ignoreExists(err: unknown) {
  if (!/already exists|duplicate key/i.test(String((err as Error)?.message))) throw err;
}
