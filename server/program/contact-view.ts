import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { crmLinks, participants, type Participant } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { referralLink } from '../../shared/codes.ts';
import { normalizeEmail } from '../../shared/email.ts';
import { SOURCES, type Source } from '../../shared/qualification.ts';
import type { CampaignOption, ContactView, Notice } from '../../shared/view-model.ts';
import { statsOf } from './stats.ts';
import { loadContactViewRows, type ConnectionKey, type ContactViewRows } from './contact-view-query.ts';

/** A view is one statement, read on the pool kept for such reads (see AppContext.reads). */
type ViewContext = Pick<AppContext, 'config' | 'reads'>;

export interface CrmContact {
  /** the CRM's id of the record (HubSpot contact id, Intercom contact id) */
  crmId: string;
  email: string | null;
  name: string | null;
}

/**
 * The view of one CRM contact for the card and the canvas, from PostgreSQL alone (one statement):
 * the contact is matched through its CRM link first and its email second, in the requested
 * campaign, else the campaign they are in, else the account's first active one.
 */
export async function buildContactView(
  ctx: ViewContext,
  input: { accountId: string; connectionId: string; contact: CrmContact; campaignId?: string | null; notice?: Notice | null },
): Promise<ContactView> {
  const { view } = await buildContactViewAt(ctx, input);
  if (!view) throw new Error(`connection ${input.connectionId} is not one of account ${input.accountId}`);
  return view;
}

/**
 * The same, for a connection named either way; the connection comes back from the same statement,
 * and the view is null without one (not installed there).
 */
export async function buildContactViewAt(
  ctx: ViewContext,
  input: ConnectionKey & { contact: CrmContact; campaignId?: string | null; notice?: Notice | null },
): Promise<{ connection: ContactViewRows['connection']; view: ContactView | null }> {
  const rows = await loadContactViewRows(ctx.reads, {
    ...input,
    crmId: input.contact.crmId,
    email: input.contact.email ? normalizeEmail(input.contact.email) : null,
    campaignId: input.campaignId ?? null,
  });
  return { connection: rows.connection, view: rows.connection ? contactViewFrom(ctx, rows, input.contact, input.notice ?? null) : null };
}

/**
 * The view of a contact known only by its CRM id, with the connection found in the same single
 * statement (a request names its portal or workspace): `view` is null when no CRM link says who
 * the contact is (the caller asks the CRM), `connection` null when the app is not installed there.
 */
export async function buildLinkedContactView(
  ctx: ViewContext,
  input: ConnectionKey & { crmId: string; campaignId?: string | null },
): Promise<{ connection: ContactViewRows['connection']; view: ContactView | null }> {
  const rows = await loadContactViewRows(ctx.reads, { ...input, email: null, campaignId: input.campaignId ?? null });
  if (!rows.connection || !rows.linked) return { connection: rows.connection, view: null };
  return { connection: rows.connection, view: contactViewFrom(ctx, rows, { crmId: input.crmId, email: rows.linked.email, name: fullName(rows.linked) }, null) };
}

function contactViewFrom(ctx: Pick<AppContext, 'config'>, rows: ContactViewRows, contact: CrmContact, notice: Notice | null): ContactView {
  const options: CampaignOption[] = rows.campaigns.map((c) => ({ id: c.id, name: c.name, status: c.status }));
  const consoleUrl = `${ctx.config.publicUrl}/admin`;
  const base = { contact, campaigns: options, notice };
  const campaign = rows.campaigns.find((c) => c.id === rows.campaignId);
  if (!campaign) return { ...base, campaign: null, enrolment: null, consoleUrl };
  const option = options.find((o) => o.id === campaign.id)!;
  const me = rows.me;
  if (!me) return { ...base, campaign: option, enrolment: null, consoleUrl: `${consoleUrl}/campaigns/${campaign.id}` };
  const stats = statsOf(rows.counts, rows.money);
  return {
    ...base,
    campaign: option,
    enrolment: {
      participantId: me.id,
      name: fullName(me),
      referrer: {
        code: me.code,
        link: referralLink(ctx.config.publicUrl, me.code, campaign.landingUrl),
        stats,
        leads: rows.leads.map((l) => ({
          participantId: l.id,
          name: fullName(l),
          email: l.email ?? '(erased)',
          status: l.status ?? 'pending',
          referredAt: iso(l.createdAt),
          statusChangedAt: l.statusChangedAt ? iso(l.statusChangedAt) : null,
        })),
        moreLeads: Math.max(0, stats.referrals - rows.leads.length),
      },
      lead:
        me.leadStatus && me.referredById
          ? {
              status: me.leadStatus,
              referredBy: { participantId: me.referredById, name: rows.referrer ? fullName(rows.referrer) : null, email: rows.referrer?.email ?? null },
              referredAt: iso(me.createdAt),
              statusChangedAt: me.statusChangedAt ? iso(me.statusChangedAt) : null,
              statusReason: me.statusReason,
              statusSource: me.statusSource ? (SOURCES[me.statusSource as Source] ?? me.statusSource) : null,
            }
          : null,
    },
    consoleUrl: `${consoleUrl}/campaigns/${campaign.id}/participants/${me.id}`,
  };
}

/**
 * PostgreSQL's JSON timestamps (microseconds, an offset) as the ISO form the rest of the API uses.
 * A card carries a dozen of them, and V8 parses this form on its slow path (about 2 µs each): a
 * UTC one is rewritten as text, anything else goes through Date.
 */
export function iso(t: string): string {
  const utc = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00(?::00)?$/.exec(t);
  if (utc) return `${utc[1]}.${(utc[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  return new Date(t).toISOString();
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
