import { and, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { crmPushQueue, webhookInbox } from '../../db/schema.ts';
import type { Sandbox } from '../start.ts';

// After a CRM-side action in the sandbox (a deal moved, a tag applied) the page waits until the
// platform has delivered its webhooks, Refcard has applied them and pushed the resulting property
// changes back, so the next page shows the outcome instead of a moment in between. Real traffic
// never waits on this: it is the sandbox's way of letting a newcomer watch the whole loop.

const MAX_WAIT_MS = 15_000;

export async function settleLoop(ctx: AppContext, s: Sandbox): Promise<{ ms: number; settled: boolean }> {
  const started = Date.now();
  for (;;) {
    await Promise.all([s.hubspot.webhooks.settle({ retries: false, timeoutMs: 5_000 }).catch(() => undefined), s.intercom.webhooks.settle().catch(() => undefined)]);
    const [{ inbox }] = (await ctx.db.select({ inbox: sql<number>`count(*)::int` }).from(webhookInbox).where(isNull(webhookInbox.processedAt))) as [{ inbox: number }];
    const [{ pushes }] = (await ctx.db.select({ pushes: sql<number>`count(*)::int` }).from(crmPushQueue).where(and(isNull(crmPushQueue.lastError)))) as [{ pushes: number }];
    if (inbox === 0 && pushes === 0) return { ms: Date.now() - started, settled: true };
    if (Date.now() - started > MAX_WAIT_MS) return { ms: Date.now() - started, settled: false };
    await new Promise((r) => setTimeout(r, 100));
  }
}
