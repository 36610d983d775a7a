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
  'outbound.deliver': { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 60 },
  'crm.push': { policy: 'stately', retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  'inbox.apply': { policy: 'stately', retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  'sync.run': { policy: 'singleton', retryLimit: 50, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 900 },
  tick: { retryLimit: 0, expireInSeconds: 120 },
};
