import type { Db } from '../db/client.ts';
import type { Connection } from '../db/schema.ts';
import type { Provider } from '../platform/connections.ts';
import type { CampaignOption, LeadStatus } from '../../shared/view-model.ts';
import { LEADS_SHOWN } from '../../shared/view-model.ts';

// Everything the card and the canvas show about one CRM contact, in one statement: the account's
// campaigns, the contact's participant in the chosen campaign (matched by CRM link first, email
// second), their referral counts, rewards, newest leads and who referred them. One round trip
// instead of seven is what keeps a card under a few milliseconds when a whole sales floor opens
// records at once; each part is an index lookup (see the participants and crm_links indexes).

export interface ContactViewRows {
  /** null: no such connection (the app is not installed there) */
  connection: { id: string; accountId: string; status: Connection['status'] } | null;
  /** the account's campaigns that are not archived, oldest first */
  campaigns: (CampaignOption & { landingUrl: string | null })[];
  /** the campaign chosen: the requested one, else one the contact is in, else the first active, else the first */
  campaignId: string | null;
  /** who the CRM link says this contact is (newest linked participant with an email) */
  linked: { email: string; firstName: string | null; lastName: string | null } | null;
  me: {
    id: string;
    code: string;
    firstName: string | null;
    lastName: string | null;
    leadStatus: LeadStatus | null;
    referredById: string | null;
    createdAt: string;
    statusChangedAt: string | null;
    statusReason: string | null;
    statusSource: string | null;
  } | null;
  counts: { status: LeadStatus | null; n: number }[];
  money: { currency: string; amountCents: number; count: number }[];
  leads: { id: string; firstName: string | null; lastName: string | null; email: string | null; status: LeadStatus | null; createdAt: string; statusChangedAt: string | null }[];
  referrer: { firstName: string | null; lastName: string | null; email: string | null } | null;
}

/** Which connection: by its id within an account, or by the CRM's id for it (a portal, a workspace) as a request names it. */
export type ConnectionKey = { connectionId: string; accountId: string } | { provider: Provider; externalId: string };

export async function loadContactViewRows(
  db: Db,
  input: ConnectionKey & { crmId: string; email: string | null; campaignId: string | null },
): Promise<ContactViewRows> {
  const [statement, key] = 'connectionId' in input ? [BY_CONNECTION, [input.connectionId, input.accountId]] : [BY_EXTERNAL_ID, [input.provider, input.externalId]];
  // A named prepared statement: planning this query costs three times its execution.
  const rows = (await db.$client.unsafe(statement, [...key, input.crmId, input.email, input.campaignId], { prepare: true })) as unknown as {
    connection: ContactViewRows['connection'];
    campaigns: ContactViewRows['campaigns'];
    campaign_id: string | null;
    linked: ContactViewRows['linked'];
    me: ContactViewRows['me'];
    counts: ContactViewRows['counts'];
    money: ContactViewRows['money'];
    leads: ContactViewRows['leads'];
    referrer: ContactViewRows['referrer'];
  }[];
  const r = rows[0]!;
  return { connection: r.connection, campaigns: r.campaigns, campaignId: r.campaign_id, linked: r.linked, me: r.me, counts: r.counts, money: r.money, leads: r.leads, referrer: r.referrer };
}

// The participant columns the view reads; never p.*, which would carry every custom field through the plan.
const MEMBER_COLUMNS = `p.id, p.campaign_id, p.code, p.email, p.first_name, p.last_name, p.lead_status, p.referred_by_id, p.created_at,
             p.status_changed_at, p.status_reason, p.status_source, p.updated_at`;

// JSON comes from row_to_json and json_agg over rows named as the API names them: json_build_object
// works out how to render each of its arguments again on every call, which cost about a tenth of
// the whole statement on a seeded database (measured with pgbench).
// $1 and $2 name the connection, $3 is the contact's CRM id, $4 its normalised email (or null), $5 the campaign asked for (or null)
const contactView = (conn: string) => `
    with conn as (${conn}),
    camps as (
      select id, name, status, landing_url, created_at from campaigns
      where account_id = (select account_id from conn) and status <> 'archived'
    ),
    linked as (
      select ${MEMBER_COLUMNS}, 0 as pref from crm_links l join participants p on p.id = l.participant_id
      where l.connection_id = (select id from conn) and l.external_id = $3
        and p.account_id = (select account_id from conn) and p.erased_at is null
    ),
    who as (
      select email, first_name as "firstName", last_name as "lastName" from linked where email is not null order by updated_at desc limit 1
    ),
    by_email as (
      select ${MEMBER_COLUMNS}, 1 as pref from participants p
      where p.account_id = (select account_id from conn)
        and p.email = coalesce($4::text, (select email from who))
        and p.campaign_id in (select id from camps)
    ),
    members as (
      select distinct on (campaign_id) * from (select * from linked union all select * from by_email) m
      order by campaign_id, pref, updated_at desc
    ),
    chosen as (
      select c.id from camps c
      order by (c.id::text = $5::text) is true desc,
               exists (select 1 from members m where m.campaign_id = c.id) desc,
               c.status = 'active' desc, c.created_at, c.id
      limit 1
    ),
    me as (select m.* from members m where m.campaign_id = (select id from chosen))
    select
      (select row_to_json(c) from (select id, account_id as "accountId", status from conn) c) as connection,
      (select coalesce(json_agg(c order by created_at, id), '[]') from (
         select id, name, status, landing_url as "landingUrl", created_at from camps) c) as campaigns,
      (select id from chosen) as campaign_id,
      (select row_to_json(who) from who) as linked,
      (select row_to_json(m) from (
         select id, code, first_name as "firstName", last_name as "lastName", lead_status as "leadStatus", referred_by_id as "referredById",
                created_at as "createdAt", status_changed_at as "statusChangedAt", status_reason as "statusReason", status_source as "statusSource"
         from me) m) as me,
      (select coalesce(json_agg(s), '[]') from (
         select lead_status as status, count(*)::int as n from participants where referred_by_id = (select id from me) group by lead_status) s) as counts,
      (select coalesce(json_agg(r order by currency), '[]') from (
         select currency, sum(amount_cents)::int as "amountCents", count(*)::int as count from rewards
         where recipient_id = (select id from me) and status <> 'voided' group by currency) r) as money,
      (select coalesce(json_agg(l order by "createdAt" desc, id), '[]') from (
         select id, first_name as "firstName", last_name as "lastName", email, lead_status as status, created_at as "createdAt", status_changed_at as "statusChangedAt"
         from participants where referred_by_id = (select id from me) order by created_at desc nulls last, id limit ${LEADS_SHOWN}) l) as leads,
      (select row_to_json(r) from (
         select first_name as "firstName", last_name as "lastName", email from participants where id = (select referred_by_id from me)) r) as referrer
  `;
const BY_CONNECTION = contactView('select id, account_id, status from connections where id = $1 and account_id = $2');
const BY_EXTERNAL_ID = contactView('select id, account_id, status from connections where provider = $1 and external_id = $2');
