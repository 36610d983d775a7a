import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { campaigns, crmLinks, participants, type Campaign, type Participant } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { referralLink } from '../../shared/codes.ts';
import { normalizeEmail } from '../../shared/email.ts';
import { SOURCES, type Source } from '../../shared/qualification.ts';
import { LEADS_SHOWN, type CampaignOption, type ContactView, type Enrolment, type Notice } from '../../shared/view-model.ts';
import { statsFor } from './stats.ts';

export interface CrmContact {
  /** the CRM's id of the record (HubSpot contact id, Intercom contact id) */
  crmId: string;
  email: string | null;
  name: string | null;
}

/**
 * The view of one CRM contact for the card and the canvas, from PostgreSQL alone: the contact is
 * matched through its CRM link first and its email second, in the requested campaign, else the
 * campaign they are in, else the account's first active one.
 */
export async function buildContactView(
  ctx: Pick<AppContext, 'config'>,
  q: Queryable,
  input: { accountId: string; connectionId: string; contact: CrmContact; campaignId?: string | null; notice?: Notice | null },
): Promise<ContactView> {
  const all = await q
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.accountId, input.accountId), ne(campaigns.status, 'archived')))
    .orderBy(campaigns.createdAt);
  const options: CampaignOption[] = all.map((c) => ({ id: c.id, name: c.name, status: c.status }));
  const consoleUrl = `${ctx.config.publicUrl}/admin`;
  const base = { contact: input.contact, campaigns: options, notice: input.notice ?? null };
  if (all.length === 0) return { ...base, campaign: null, enrolment: null, consoleUrl };

  const memberships = await findMemberships(q, input.accountId, input.connectionId, input.contact, all.map((c) => c.id));
  const requested = all.find((c) => c.id === input.campaignId);
  const campaign: Campaign =
    requested ?? all.find((c) => memberships.some((m) => m.campaignId === c.id)) ?? all.find((c) => c.status === 'active') ?? all[0]!;
  const me = memberships.find((m) => m.campaignId === campaign.id) ?? null;
  const option = options.find((o) => o.id === campaign.id)!;
  if (!me) return { ...base, campaign: option, enrolment: null, consoleUrl: `${consoleUrl}/campaigns/${campaign.id}` };
  return {
    ...base,
    campaign: option,
    enrolment: await enrolmentOf(ctx, q, me, campaign),
    consoleUrl: `${consoleUrl}/campaigns/${campaign.id}/participants/${me.id}`,
  };
}

/** The participants standing for a CRM contact across campaigns: by CRM link, then by email. */
export async function findMemberships(q: Queryable, accountId: string, connectionId: string, contact: CrmContact, campaignIds: string[]): Promise<Participant[]> {
  if (campaignIds.length === 0) return [];
  const linked = await q
    .select({ p: participants })
    .from(crmLinks)
    .innerJoin(participants, eq(participants.id, crmLinks.participantId))
    .where(and(eq(crmLinks.connectionId, connectionId), eq(crmLinks.externalId, contact.crmId), eq(participants.accountId, accountId), isNull(participants.erasedAt)));
  const found = new Map(linked.map((r) => [r.p.campaignId, r.p]));
  if (contact.email) {
    const byEmail = await q
      .select()
      .from(participants)
      .where(and(eq(participants.accountId, accountId), eq(participants.email, normalizeEmail(contact.email)), inArray(participants.campaignId, campaignIds)));
    for (const p of byEmail) if (!found.has(p.campaignId)) found.set(p.campaignId, p);
  }
  return [...found.values()];
}

async function enrolmentOf(ctx: Pick<AppContext, 'config'>, q: Queryable, me: Participant, campaign: Campaign): Promise<Enrolment> {
  const [stats, leads, referrer] = await Promise.all([
    statsFor(q, [me.id]).then((m) => m.get(me.id)!),
    q
      .select()
      .from(participants)
      .where(eq(participants.referredById, me.id))
      .orderBy(desc(participants.createdAt))
      .limit(LEADS_SHOWN),
    me.referredById ? q.select().from(participants).where(eq(participants.id, me.referredById)).then((r) => r[0] ?? null) : Promise.resolve(null),
  ]);
  return {
    participantId: me.id,
    name: fullName(me),
    referrer: {
      code: me.code,
      link: referralLink(ctx.config.publicUrl, me.code, campaign.landingUrl),
      stats,
      leads: leads.map((l) => ({
        participantId: l.id,
        name: fullName(l),
        email: l.email ?? '(erased)',
        status: l.leadStatus ?? 'pending',
        referredAt: l.createdAt.toISOString(),
        statusChangedAt: l.statusChangedAt?.toISOString() ?? null,
      })),
      moreLeads: Math.max(0, stats.referrals - leads.length),
    },
    lead:
      me.leadStatus && me.referredById
        ? {
            status: me.leadStatus,
            referredBy: { participantId: me.referredById, name: referrer ? fullName(referrer) : null, email: referrer?.email ?? null },
            referredAt: me.createdAt.toISOString(),
            statusChangedAt: me.statusChangedAt?.toISOString() ?? null,
            statusReason: me.statusReason,
            statusSource: me.statusSource ? (SOURCES[me.statusSource as Source] ?? me.statusSource) : null,
          }
        : null,
  };
}

export function fullName(p: Pick<Participant, 'firstName' | 'lastName'>): string | null {
  return [p.firstName, p.lastName].filter(Boolean).join(' ') || null;
}

/** For the settings page and console: per-campaign counts in one query. */
export async function campaignCounts(q: Queryable, accountId: string) {
  return q
    .select({
      campaignId: participants.campaignId,
      participants: sql<number>`count(*)::int`,
      leads: sql<number>`count(*) filter (where ${participants.leadStatus} is not null)::int`,
      qualified: sql<number>`count(*) filter (where ${participants.leadStatus} = 'qualified')::int`,
    })
    .from(participants)
    .where(eq(participants.accountId, accountId))
    .groupBy(participants.campaignId);
}
