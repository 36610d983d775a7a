import type { AppContext } from '../context.ts';
import type { JobHandler } from './jobs.ts';
import type { QueueName } from './queues.ts';
import { deliverWebhook } from '../outbound/deliver.ts';

/** Every queue's handler; a worker process runs all of them. */
export function jobHandlers(ctx: AppContext): Partial<Record<QueueName, JobHandler>> {
  return {
    'outbound.deliver': (job) => deliverWebhook(ctx, String(job.data.deliveryId)),
  };
}
