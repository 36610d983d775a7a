import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { participants } from '../db/schema.ts';
import { findConnection } from '../platform/connections.ts';
import { enrolReferrer, createLead } from '../program/participants.ts';
import { linkCrmRecord } from '../program/crm-links.ts';
import { startSync } from '../program/syncs.ts';
import { systemActor } from '../program/actor.ts';
import { DEMO_LIST, DEMO_PORTAL_ID, DEMO_REFERRALS, DEMO_WORKSPACE_ID } from './demo-data.ts';
import type { SandboxEmulators } from './start.ts';

/**
 * The demo referrers and leads, made once through the same services the product uses: HubSpot
 * customers who referred friends (whose deals sit in the pipeline), an Intercom user who referred a
 * lead with an open conversation, and a one-time sync of the demo list.
 */
export async function seedDemoProgram(ctx: AppContext, emu: SandboxEmulators, accountId: string, campaignId: string): Promise<void> {
  const [already] = await ctx.db.select({ id: participants.id }).from(participants).where(and(eq(participants.campaignId, campaignId))).limit(1);
  if (already) return;
  const hs = await findConnection(ctx.db, 'hubspot', String(DEMO_PORTAL_ID));
  const ic = await findConnection(ctx.db, 'intercom', DEMO_WORKSPACE_ID);
  const portal = emu.hubspot.portal(DEMO_PORTAL_ID);
  const actor = systemActor('sync');

  await ctx.db.transaction(async (tx) => {
    const hubspotContact = (key: string) => portal.contact(`${key}@refcard-demo.test`)!;
    const codes = new Map<string, string>();
    for (const [referrerKey, leadKey] of DEMO_REFERRALS) {
      if (!codes.has(referrerKey)) {
        const c = hubspotContact(referrerKey);
        const r = await enrolReferrer(ctx, tx, { accountId, campaignId, email: c.properties.email!, firstName: c.properties.firstname, lastName: c.properties.lastname, source: 'hubspot_sync', actor });
        if (hs) await linkCrmRecord(tx, r.participant.id, hs.id, String(c.id));
        codes.set(referrerKey, r.participant.code);
      }
      const l = hubspotContact(leadKey);
      const lead = await createLead(ctx, tx, { accountId, campaignId, referralCode: codes.get(referrerKey)!, email: l.properties.email!, firstName: l.properties.firstname, lastName: l.properties.lastname, source: 'landing', actor: { ...actor, source: 'landing' } });
      if (hs) await linkCrmRecord(tx, lead.participant.id, hs.id, String(l.id));
    }

    // Intercom: Grace Hopper (a customer) referred Hedy Lamarr (a lead with an open conversation).
    const grace = emu.intercom.findContactsByEmail(DEMO_WORKSPACE_ID, 'grace@hopper.example.test')[0];
    const hedy = emu.intercom.findContactsByEmail(DEMO_WORKSPACE_ID, 'hedy@lamarr.example.test')[0];
    if (grace && hedy) {
      const r = await enrolReferrer(ctx, tx, { accountId, campaignId, email: grace.email!, firstName: 'Grace', lastName: 'Hopper', source: 'intercom_sync', actor });
      const l = await createLead(ctx, tx, { accountId, campaignId, referralCode: r.participant.code, email: hedy.email!, firstName: 'Hedy', lastName: 'Lamarr', source: 'landing', actor: { ...actor, source: 'landing' } });
      if (ic) {
        await linkCrmRecord(tx, r.participant.id, ic.id, grace.id);
        await linkCrmRecord(tx, l.participant.id, ic.id, hedy.id);
      }
    }
  });

  const list = portal.list(DEMO_LIST);
  if (hs && list) {
    await startSync(ctx, { accountId, campaignId, connectionId: hs.id, source: { kind: 'list', id: String(list.listId), name: DEMO_LIST }, mode: 'once', actor });
  }
}
