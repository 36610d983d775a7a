import { Hono } from 'hono';
import { and, eq, ne } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { accounts, campaigns } from '../db/schema.ts';
import { campaignCounts } from '../program/contact-view.ts';
import { listSyncs } from '../program/syncs.ts';
import type { SettingsView } from '../../shared/view-model.ts';
import { portalRequest } from './portal-request.ts';

// The app's settings page in HubSpot (Connected apps → Refcard → Settings): the portal's account,
// whether the connection is healthy and why not, its campaigns with their figures, and the syncs.

export function settingsRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/hubspot/settings', async (c) => {
    const req = await portalRequest(ctx, c);
    if (!req.ok) return req.response;
    const { connection } = req.value;
    const [account] = await ctx.db.select().from(accounts).where(eq(accounts.id, connection.accountId));
    const [list, counts, syncs] = await Promise.all([
      ctx.db
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.accountId, connection.accountId), ne(campaigns.status, 'archived')))
        .orderBy(campaigns.createdAt),
      campaignCounts(ctx.db, connection.accountId),
      listSyncs(ctx.db, connection.accountId),
    ]);
    const view: SettingsView = {
      account: { id: account!.id, name: account!.name },
      connection: {
        portalId: Number(connection.externalId),
        status: connection.status,
        reason: connection.statusReason,
        lastWebhookAt: connection.lastWebhookAt?.toISOString() ?? null,
      },
      campaigns: list.map((cmp) => {
        const n = counts.find((x) => x.campaignId === cmp.id);
        return { id: cmp.id, name: cmp.name, status: cmp.status, referrers: (n?.participants ?? 0) - (n?.leads ?? 0), leads: n?.leads ?? 0, qualified: n?.qualified ?? 0 };
      }),
      syncs: syncs
        .filter((s) => s.connectionId === connection.id)
        .map((s) => ({
          id: s.id,
          campaignId: s.campaignId,
          source: s.source.kind === 'all' ? 'All contacts' : `List ${s.source.name ?? s.source.id}`,
          mode: s.mode,
          state: s.state,
          done: s.done,
          total: s.total,
          failed: s.failed,
        })),
      consoleUrl: `${ctx.config.publicUrl}/admin`,
    };
    return c.json(view);
  });
  return app;
}
