import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { createAccount, createApiKey } from '../../server/program/accounts.ts';
import { createCampaign } from '../../server/program/campaigns.ts';
import { systemActor } from '../../server/program/actor.ts';
import { saveConnection } from '../../server/platform/connections.ts';
import { connectPortal } from '../../server/hubspot/install.ts';
import type { AppContext } from '../../server/context.ts';

export interface SeededProgram {
  accountId: string;
  apiKey: string;
  campaignId: string;
  hubspotConnectionId: string;
  intercomConnectionId: string;
  /** CRM contact ids (same number in both CRMs) of seeded referrers: `contactBase + n` for n in 1..referrers */
  contactBase: number;
  referrers: number;
  leads: number;
}

/**
 * A realistic account at scale, written with set-based SQL (a million rows in seconds): referrers
 * linked to CRM contacts in a HubSpot portal and an Intercom workspace, and leads spread over them
 * with a mix of statuses. Ids are derived from the row number so scenarios can address them.
 */
export async function seedProgram(
  ctx: AppContext,
  opts: { referrers: number; leads: number; workspaceId: string; hubspotCode: string; intercomToken: string },
): Promise<SeededProgram> {
  const db: Db = ctx.db;
  const account = await createAccount(db, 'Bench Co.');
  const { key } = await createApiKey(db, account.id, 'bench');
  const campaign = await db.transaction((tx) =>
    createCampaign(tx, account.id, { name: 'Bench campaign', rewardRules: [{ id: 'r', name: '$10', recipient: 'referrer', trigger: 'per_qualified_lead', amountCents: 1000, currency: 'USD' }], qualificationRules: [{ id: 'won', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' }], settings: { intercomNewParticipants: 'nothing' } }, systemActor()),
  );
  // The portal is connected through the real install (tokens, Refcard's properties created).
  const hs = await connectPortal(ctx, { code: opts.hubspotCode, accountId: account.id });
  const ic = await saveConnection(ctx, db, { accountId: account.id, provider: 'intercom', externalId: opts.workspaceId, tokens: { accessToken: opts.intercomToken, expiresAt: null } });
  const contactBase = 5_000_000;
  const code = (prefix: string) => sql.raw(`translate(substr(md5('${prefix}' || g), 1, 10), '01', 'wz')`);

  await db.execute(sql`
    insert into participants (id, account_id, campaign_id, email, first_name, last_name, code, source, created_at)
    select md5('r' || g)::uuid, ${account.id}, ${campaign.id}, 'referrer' || g || '@bench.test', 'Ref', 'Errer ' || g, ${code('r')}, 'bench',
           now() - (g || ' seconds')::interval
    from generate_series(1, ${opts.referrers}) g
    on conflict do nothing`);
  // In slices, so no single statement runs into the pool's statement timeout.
  const SLICE = 100_000;
  for (let from = 1; from <= opts.leads; from += SLICE) {
    const to = Math.min(opts.leads, from + SLICE - 1);
    await db.execute(sql`
      insert into participants (account_id, campaign_id, email, first_name, code, source, referred_by_id, lead_status, status_changed_at, created_at)
      select ${account.id}, ${campaign.id}, 'lead' || g || '@bench.test', 'Lead ' || g, ${code('l')}, 'bench',
             md5('r' || (1 + (g % ${opts.referrers})))::uuid,
             (case when g % 10 < 2 then 'qualified' when g % 10 = 9 then 'unqualified' else 'pending' end),
             now(), now() - (g || ' seconds')::interval
      from generate_series(${from}::int, ${to}::int) g
      on conflict do nothing`);
  }
  for (const conn of [hs.connection.id, ic.connection.id]) {
    await db.execute(sql`
      insert into crm_links (participant_id, connection_id, external_id)
      select md5('r' || g)::uuid, ${conn}, (${contactBase} + g)::text from generate_series(1, ${opts.referrers}) g
      on conflict do nothing`);
  }
  // A live database vacuumed these rows long ago. Left to autovacuum, the vacuum of a million fresh
  // rows would run during the first scenarios and take one of this machine's two cores.
  await db.execute(sql`vacuum (analyze) participants`);
  await db.execute(sql`vacuum (analyze) crm_links`);
  return { accountId: account.id, apiKey: key, campaignId: campaign.id, hubspotConnectionId: hs.connection.id, intercomConnectionId: ic.connection.id, contactBase, referrers: opts.referrers, leads: opts.leads };
}
