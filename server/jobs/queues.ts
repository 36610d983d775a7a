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

// `stately` keeps at most one queued and one running job per singletonKey: changes arriving while a
// push runs coalesce into the one queued job, which still runs after the latest change.
export const QUEUE_OPTIONS: Record<QueueName, Omit<Queue, 'name'>> = {
  'outbound.deliver': { notify: true, retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 60 },
  'crm.push': { policy: 'stately', notify: true, retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  'inbox.apply': { policy: 'stately', notify: true, retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  // A sync can run for minutes; the worker's heartbeat (automatic while the handler runs) is what
  // tells a live one from a killed one, so a crashed worker's sync is picked up again in ~30 s.
  'sync.run': { policy: 'singleton', notify: true, retryLimit: 50, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 3600, heartbeatSeconds: 30 },
  tick: { notify: true, retryLimit: 0, expireInSeconds: 120 },
};

/** Jobs a worker claims at once per queue: batches keep a backlog draining without poll gaps. */
export const BATCH_SIZE: Record<QueueName, number> = {
  'outbound.deliver': 20,
  'crm.push': 4,
  'inbox.apply': 4,
  'sync.run': 1,
  tick: 1,
};
