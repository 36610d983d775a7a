import type { Queue } from 'pg-boss';

// Every queue the app uses, with its retry policy. Work that talks to a CRM is keyed by tenant
// (portal/workspace) in the job data so per-tenant pacing and locking stay possible.
export const QUEUES = {
  /** deliver one outbound webhook event to one endpoint */
  outboundDeliver: 'outbound.deliver',
  /** push pending property/attribute changes of one connection */
  crmPush: 'crm.push',
  /** apply stored inbound CRM webhook events of one connection */
  inboxApply: 'inbox.apply',
  /** run (or resume) one contact sync */
  syncRun: 'sync.run',
  /** periodic: ongoing syncs, token refresh ahead of expiry, housekeeping */
  tick: 'tick',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Queues whose job only says "this connection has work": the work itself waits in a table
 * (crm_push_queue, webhook_inbox), so a job can be coalesced, deferred or even lost to a queue
 * rebuild without losing work, and the ticks give waiting work a job again. One handler per
 * connection runs at a time, across processes, under a lock of its own (jobs.ts): pg-boss's
 * per-key policies decide "is this key busy" from a list cached for up to twice the monitor
 * interval, which kept a connection's next job waiting ~20 s after the one before had finished.
 */
export const WAKEUP_QUEUES = [QUEUES.crmPush, QUEUES.inboxApply] as const;
export type WakeupQueue = (typeof WAKEUP_QUEUES)[number];
export const isWakeupQueue = (q: QueueName): q is WakeupQueue => (WAKEUP_QUEUES as readonly QueueName[]).includes(q);

// `short` keeps at most one job queued per connection: changes arriving while a drain runs
// coalesce into it, and it runs as soon as it is fetched.
export const QUEUE_OPTIONS: Record<QueueName, Omit<Queue, 'name'>> = {
  'outbound.deliver': { notify: true, retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 60 },
  // A killed process's drain lock goes with its session; its job is failed by the heartbeat and retried.
  'crm.push': { policy: 'short', notify: true, retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300, heartbeatSeconds: 15 },
  'inbox.apply': { policy: 'short', notify: true, retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300, heartbeatSeconds: 15 },
  // A sync can run for minutes; the worker's heartbeat (automatic while the handler runs, every
  // 7.5 s) is what tells a live one from a killed one, so a crashed worker's sync is picked up
  // again in ~25 s: 15 s without a heartbeat, the next supervision, the retry's delay (which
  // doubles with each crash of the same sync).
  'sync.run': { policy: 'singleton', notify: true, retryLimit: 50, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 3600, heartbeatSeconds: 15 },
  tick: { notify: true, retryLimit: 0, expireInSeconds: 120 },
};

/**
 * Jobs a worker claims at once per queue: batches keep a backlog of short deliveries draining
 * without poll gaps. Per-tenant work (push, apply) is never batched: a batch settles only when its
 * slowest job does, so one tenant's long push would hold another's for its whole duration.
 */
export const BATCH_SIZE: Record<QueueName, number> = {
  'outbound.deliver': 20,
  'crm.push': 1,
  'inbox.apply': 1,
  'sync.run': 1,
  tick: 1,
};

/** Jobs (or batches) one process works on at once per queue. */
export const CONCURRENCY: Record<QueueName, number> = {
  'outbound.deliver': 2,
  'crm.push': 4,
  'inbox.apply': 4,
  'sync.run': 2,
  tick: 1,
};

/**
 * Idle poll per queue (seconds). NOTIFY wakes workers when a job is created, but not when a
 * deferred one comes due (a wakeup that found its connection's drain busy looks again shortly):
 * the poll is what bounds that wait on the latency-critical queues.
 */
export const POLL_SECONDS: Record<QueueName, number> = {
  'outbound.deliver': 1,
  'crm.push': 0.5,
  'inbox.apply': 0.5,
  'sync.run': 2,
  tick: 5,
};
