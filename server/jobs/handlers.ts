import { sweepInbox } from '../platform/webhook-inbox.ts';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { JobHandler } from './jobs.ts';
import type { QueueName } from './queues.ts';
import { deliverWebhook } from '../outbound/deliver.ts';
import { connections, syncRuns } from '../db/schema.ts';
import { PROVIDERS } from '../providers.ts';

/** Every queue's handler; a worker process runs all of them. CRM work goes to the connection's provider. */
export function jobHandlers(ctx: AppContext): Partial<Record<QueueName, JobHandler>> {
  const connection = async (id: unknown) => (await ctx.db.select().from(connections).where(eq(connections.id, String(id))))[0];
  return {
    'outbound.deliver': (job) => deliverWebhook(ctx, String(job.data.deliveryId)),
    'crm.push': async (job) => {
      const c = await connection(job.data.connectionId);
      if (c) await PROVIDERS[c.provider].push(ctx, c);
    },
    'inbox.apply': async (job) => {
      const c = await connection(job.data.connectionId);
      if (c) await PROVIDERS[c.provider].applyInbox(ctx, c);
    },
    'sync.run': async (job) => {
      const [run] = await ctx.db.select({ provider: syncRuns.provider }).from(syncRuns).where(eq(syncRuns.id, String(job.data.syncRunId)));
      if (run) await PROVIDERS[run.provider].runSync(ctx, String(job.data.syncRunId));
    },
    tick: async () => {
      await sweepInbox(ctx);
      for (const p of Object.values(PROVIDERS)) await p.tick(ctx);
    },
  };
}
