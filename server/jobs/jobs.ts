import { PgBoss, fromDrizzle, type Job, type JobResult, type SendOptions } from 'pg-boss';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { BATCH_SIZE, CONCURRENCY, POLL_SECONDS, QUEUES, QUEUE_OPTIONS, WAKEUP_QUEUES, isWakeupQueue, type QueueName, type WakeupQueue } from './queues.ts';
import { createKeyLocks } from './key-locks.ts';
import type { Logger } from '../log.ts';

export type JobHandler = (job: Job<Record<string, unknown>>) => Promise<void>;

export interface Jobs {
  boss: PgBoss;
  /**
   * Enqueue inside the caller's transaction: the job exists if and only if the transaction commits.
   * Pass the pool (not a transaction) only for work that follows no write.
   */
  send(q: Queryable, queue: QueueName, data: object, options?: SendOptions): Promise<string | null>;
  /** "This connection has work" on a wakeup queue, in the caller's transaction like `send`. */
  wake(q: Queryable, queue: WakeupQueue, connectionId: string): Promise<string | null>;
  /**
   * Runs `fn` under the lock a wakeup handler of `queue` takes for the connection, if no one holds
   * it now; false (and `fn` not run) if someone does, whose drain then takes the work.
   */
  tryExclusive(queue: WakeupQueue, connectionId: string, fn: () => Promise<void>): Promise<boolean>;
  /** start workers for the given handlers in this process */
  work(handlers: Partial<Record<QueueName, JobHandler>>, opts?: { concurrency?: Partial<Record<QueueName, number>> }): Promise<void>;
  stop(): Promise<void>;
}

export const BOSS_SCHEMA = 'pgboss';
/** How soon a wakeup that found its connection's drain busy looks again. */
const BUSY_RETRY_MS = 500;
/** Drain locks taken outside jobs at once (the card pushes its own action's changes). */
const OUTSIDE_JOBS = 2;

export async function startJobs(url: string, log: Logger, opts: { max?: number } = {}): Promise<Jobs> {
  // LISTEN/NOTIFY wakes a worker the moment a job commits, instead of at its next poll: every hop
  // of "deal won → qualified → properties in HubSpot" is a job, so this is the latency.
  // Supervision every 10 s (pg-boss: 60 s): a killed worker's job is failed by its heartbeat, and
  // the cached list of busy singleton keys (which keeps a tenant's next job from being fetched) is
  // refreshed, within seconds rather than minutes.
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    max: opts.max ?? 6,
    application_name: 'refcard-jobs',
    useListenNotify: true,
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    queueCacheIntervalSeconds: 10,
  });
  boss.on('error', (err) => log.error({ err }, 'job system error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    const { policy, retryDelayMax: _r, ...updatable } = QUEUE_OPTIONS[name];
    const existing = await boss.getQueue(name);
    // A queue's policy is fixed when it is created. Only wakeup queues ever changed theirs, and
    // their jobs are only wakeups: rebuilding the queue loses no work (the ticks wake it again).
    if (existing && (existing.policy ?? 'standard') !== (policy ?? 'standard') && isWakeupQueue(name)) {
      log.info({ queue: name, from: existing.policy, to: policy }, 'rebuilding a wakeup queue with its new policy');
      await boss.deleteQueue(name);
    } else if (existing) {
      await boss.updateQueue(name, updatable);
      continue;
    }
    await boss.createQueue(name, QUEUE_OPTIONS[name]).catch(ignoreExists);
  }
  const send: Jobs['send'] = (q, queue, data, options = {}) => boss.send(queue, data, { ...options, db: fromDrizzle(q as never, sql) });
  const wakeupKey = (queue: WakeupQueue, connectionId: string) => `${queue}:${connectionId}`;
  // One lock connection per wakeup handler this process may run at once, and a few for the card's
  // own pushes (tryExclusive outside a job).
  const locks = createKeyLocks(url, WAKEUP_QUEUES.reduce((n, q) => n + CONCURRENCY[q], 0) + OUTSIDE_JOBS);
  const tryExclusive: Jobs['tryExclusive'] = async (queue, connectionId, fn) => {
    const held = await locks.tryHold(`drain:${wakeupKey(queue, connectionId)}`);
    if (!held) return false;
    try {
      await fn();
    } finally {
      await held.release();
    }
    return true;
  };
  /**
   * Runs a wakeup handler only while holding its connection's lock. A wakeup that finds the lock
   * held is not dropped: the holder may already have read past the work it is for, so it looks
   * again shortly (a deferred job, coalesced like any other wakeup).
   */
  const exclusive =
    (queue: WakeupQueue, handler: JobHandler): JobHandler =>
    async (job) => {
      const connectionId = String(job.data.connectionId);
      if (await tryExclusive(queue, connectionId, () => handler(job))) return;
      await boss.send(queue, { connectionId }, { singletonKey: wakeupKey(queue, connectionId), startAfter: new Date(Date.now() + BUSY_RETRY_MS) });
    };
  const workers: string[] = [];
  return {
    boss,
    send,
    wake: (q, queue, connectionId) => send(q, queue, { connectionId }, { singletonKey: wakeupKey(queue, connectionId) }),
    tryExclusive,
    async work(handlers, workOpts = {}) {
      for (const [queue, given] of Object.entries(handlers) as [QueueName, JobHandler][]) {
        const handler = isWakeupQueue(queue) ? exclusive(queue, given) : given;
        // Each job of a batch settles on its own: one failing delivery is retried alone.
        const id = await boss.work<Record<string, unknown>>(
          queue,
          {
            batchSize: BATCH_SIZE[queue],
            burstWhenBatchFull: true,
            perJobResults: true,
            localConcurrency: workOpts.concurrency?.[queue] ?? CONCURRENCY[queue],
            pollingIntervalSeconds: POLL_SECONDS[queue],
            notifyPollingIntervalSeconds: POLL_SECONDS[queue],
          },
          async (jobs) =>
            Promise.all(
              jobs.map(async (job): Promise<JobResult> => {
                try {
                  await handler(job);
                  return { id: job.id, status: 'completed' };
                } catch (err) {
                  log.warn({ err, queue, jobId: job.id }, 'job failed; it will be retried with back-off');
                  return { id: job.id, status: 'failed', output: { message: String((err as Error)?.message ?? err) } };
                }
              }),
            ),
        );
        workers.push(id);
      }
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
      await locks.end();
    },
  };
}

// Two processes creating the same queue at the same moment: the loser's error is harmless.
function ignoreExists(err: unknown) {
  if (!/already exists|duplicate key/i.test(String((err as Error)?.message))) throw err;
}
