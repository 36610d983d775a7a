import { and, eq, inArray, isNull } from 'drizzle-orm';
import { crmLinks, participants, type Campaign, type Connection, type Participant } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import type { QualificationRule } from '../../shared/campaign.ts';
import { describeRule, matchingRules, type CrmSignal } from '../../shared/rules.ts';
import { normalizeEmail } from '../../shared/email.ts';
import type { Actor } from '../program/actor.ts';
import { setLeadStatus } from '../program/qualify.ts';
import type { HubspotApi } from './client.ts';
import { readContacts } from './contacts.ts';
import { HubspotApiError, missingIds } from './errors.ts';
import type { HubspotEvent } from './webhooks.ts';

// Qualification from HubSpot events: a deal reaching a stage (its associated contacts' pending
// leads qualify), a contact added to a deal that already stands at such a stage (that contact's
// lead qualifies: reps often attach people to a deal after it is won), and a contact property
// reaching a value. For a stage change the stage is the event's value — what happened — not the
// deal's stage now, so events applied late or out of order still count; for an association it is
// the deal's stage when the event is applied. Qualifying is idempotent, so a repeated event
// changes nothing and issues nothing twice. Removing a contact from a deal takes nothing back.
// What HubSpot is asked for is fetched once per batch of events (deals, associations, emails).

export interface Prefetched {
  /** deal id → its pipeline and stage now, or null when the deal no longer exists */
  deals: Map<string, { pipeline: string; stage: string | null } | null>;
  /** deal id → associated contact ids */
  dealContacts: Map<string, string[]>;
  /** contact id → participants standing for it (by link, else by email) */
  people: Map<string, Participant[]>;
}

export const isStageChange = (name: string, e: HubspotEvent) => name === 'deal.propertyChange' && e.propertyName === 'dealstage';
export const isContactPropertyChange = (name: string, e: HubspotEvent) => name === 'contact.propertyChange' && !!e.propertyName;
/** A contact associated with a deal: if the deal already stands at a qualifying stage, the contact's lead qualifies now. */
export const isContactAddedToDeal = (name: string, e: HubspotEvent) =>
  name === 'deal.associationChange' && e.associationType === 'DEAL_TO_CONTACT' && e.associationRemoved !== true && e.fromObjectId !== undefined && e.toObjectId !== undefined;

/** Who qualified a lead through a deal's stage, in the audit trail. */
const dealActor = (dealId: string): Actor => ({ type: 'crm', id: `deal:${dealId}`, label: `HubSpot deal ${dealId}`, source: 'hubspot_deal_stage' });

const rulesOf = (campaigns: Campaign[], kind: QualificationRule['kind']) => campaigns.flatMap((c) => c.qualificationRules.filter((r) => r.kind === kind));

/** Reads from HubSpot what the qualifying events of a batch need; events no rule could match cost nothing. */
export async function prefetch(db: Queryable, api: HubspotApi, connection: Connection, campaigns: Campaign[], events: { name: string; e: HubspotEvent }[]): Promise<Prefetched> {
  const stageRules = rulesOf(campaigns, 'hubspot_deal_stage');
  const propertyRules = rulesOf(campaigns, 'hubspot_contact_property');
  const dealIds = new Set<string>();
  const stageChanged = new Set<string>();
  const contactIds = new Set<string>();
  for (const { name, e } of events) {
    if (isStageChange(name, e) && stageRules.some((r) => r.kind === 'hubspot_deal_stage' && r.stageId === e.propertyValue)) stageChanged.add(String(e.objectId));
    if (isContactAddedToDeal(name, e) && stageRules.length) dealIds.add(String(e.fromObjectId));
    if (isContactPropertyChange(name, e) && propertyRules.some((r) => r.kind === 'hubspot_contact_property' && r.property === e.propertyName)) contactIds.add(String(e.objectId));
  }
  for (const id of stageChanged) dealIds.add(id);
  const deals: Prefetched['deals'] = new Map();
  const dealContacts = new Map<string, string[]>();
  if (dealIds.size) {
    const res = await api.call('read deals', (c) => c.crm.deals.batchApi.read({ inputs: [...dealIds].map((id) => ({ id })), properties: ['pipeline', 'dealstage'], propertiesWithHistory: [] }));
    for (const d of res.results) deals.set(String(d.id), { pipeline: d.properties.pipeline ?? 'default', stage: d.properties.dealstage ?? null });
    for (const id of missingIds((res as { errors?: unknown }).errors)) deals.set(id, null);
    // A stage change qualifies every contact of the deal; an association only the contact added.
    for (const id of stageChanged) {
      if (!deals.get(id)) continue;
      const ids = await dealContactIds(api, id);
      dealContacts.set(id, ids);
      for (const c of ids) contactIds.add(c);
    }
    for (const { name, e } of events) {
      const deal = isContactAddedToDeal(name, e) ? deals.get(String(e.fromObjectId)) : null;
      if (deal?.stage && matchingRules(stageRules, { kind: 'hubspot_deal_stage', pipelineId: deal.pipeline, stageId: deal.stage }).length) contactIds.add(String(e.toObjectId));
    }
  }
  return { deals, dealContacts, people: await participantsOf(db, api, connection, campaigns, [...contactIds]) };
}

async function dealContactIds(api: HubspotApi, dealId: string): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (;;) {
    try {
      const res = await api.call('read a deal’s contacts', (c) => c.crm.associations.v4.basicApi.getPage('deals', dealId, 'contacts', after, 500));
      out.push(...res.results.map((r) => String(r.toObjectId)));
      after = res.paging?.next?.after;
      if (!after) return out;
    } catch (err) {
      if (err instanceof HubspotApiError && err.status === 404) return out;
      throw err;
    }
  }
}

/** Participants for contacts: through CRM links first; contacts without one by their email. */
async function participantsOf(db: Queryable, api: HubspotApi, connection: Connection, campaigns: Campaign[], contactIds: string[]): Promise<Map<string, Participant[]>> {
  const out = new Map<string, Participant[]>();
  if (contactIds.length === 0 || campaigns.length === 0) return out;
  const campaignIds = campaigns.map((c) => c.id);
  const linked = await db
    .select({ externalId: crmLinks.externalId, p: participants })
    .from(crmLinks)
    .innerJoin(participants, eq(participants.id, crmLinks.participantId))
    .where(and(eq(crmLinks.connectionId, connection.id), inArray(crmLinks.externalId, contactIds), inArray(participants.campaignId, campaignIds), isNull(participants.erasedAt)));
  for (const r of linked) out.set(r.externalId, [...(out.get(r.externalId) ?? []), r.p]);
  // A lead whose contact was created in HubSpot by someone else has no link yet: match by email.
  const unlinked = contactIds.filter((id) => !out.has(id));
  if (unlinked.length) {
    const { found } = await readContacts(api, unlinked, ['email']);
    const emails = new Map(found.filter((c) => c.properties.email).map((c) => [normalizeEmail(c.properties.email!), c.id]));
    if (emails.size) {
      const byEmail = await db
        .select()
        .from(participants)
        .where(and(eq(participants.accountId, connection.accountId), inArray(participants.email, [...emails.keys()]), inArray(participants.campaignId, campaignIds)));
      for (const p of byEmail) {
        const id = emails.get(p.email!)!;
        out.set(id, [...(out.get(id) ?? []), p]);
      }
    }
  }
  return out;
}

/** Applies one qualifying event; the answer says what happened or why nothing did. */
export async function applyQualifyingEvent(
  ctx: AppContext,
  tx: Tx,
  connection: Connection,
  campaigns: Campaign[],
  pre: Prefetched,
  name: string,
  e: HubspotEvent,
): Promise<string> {
  const objectId = String(e.objectId);
  let signal: CrmSignal;
  let contacts: string[];
  let actor: Actor;
  if (isStageChange(name, e)) {
    if (!pre.deals.has(objectId)) return `skipped: no campaign qualifies on deal stage "${e.propertyValue}"`;
    const deal = pre.deals.get(objectId);
    if (!deal) return `skipped: deal ${objectId} no longer exists in HubSpot`;
    signal = { kind: 'hubspot_deal_stage', pipelineId: deal.pipeline, stageId: e.propertyValue ?? '' };
    contacts = pre.dealContacts.get(objectId) ?? [];
    actor = dealActor(objectId);
  } else if (isContactAddedToDeal(name, e)) {
    // The stage the deal stands at now: the contact joined a deal that may have been won long ago.
    const dealId = String(e.fromObjectId);
    if (!pre.deals.has(dealId)) return 'skipped: no campaign qualifies on deal stages';
    const deal = pre.deals.get(dealId);
    if (!deal) return `skipped: deal ${dealId} no longer exists in HubSpot`;
    signal = { kind: 'hubspot_deal_stage', pipelineId: deal.pipeline, stageId: deal.stage ?? '' };
    contacts = [String(e.toObjectId)];
    actor = dealActor(dealId);
  } else {
    signal = { kind: 'hubspot_contact_property', property: e.propertyName!, value: e.propertyValue ?? null };
    contacts = [objectId];
    actor = { type: 'crm', id: `contact:${objectId}`, label: `HubSpot contact ${objectId}`, source: 'hubspot_contact_property' };
  }
  const matched = campaigns.map((c) => ({ campaign: c, rules: matchingRules(c.qualificationRules, signal) })).filter((m) => m.rules.length > 0);
  if (matched.length === 0) {
    return signal.kind === 'hubspot_deal_stage'
      ? `skipped: no rule for stage "${signal.stageId}" in pipeline "${signal.pipelineId}"`
      : `skipped: no rule for ${signal.property} = "${signal.value ?? ''}"`;
  }
  if (contacts.length === 0) return `skipped: deal ${objectId} has no associated contacts`;

  const notes: string[] = [];
  let qualified = 0;
  for (const contactId of contacts) {
    const people = pre.people.get(contactId) ?? [];
    for (const { campaign, rules } of matched) {
      const p = people.find((x) => x.campaignId === campaign.id);
      if (!p) {
        notes.push(`contact ${contactId} is not in campaign "${campaign.name}"`);
        continue;
      }
      if (p.leadStatus !== 'pending') {
        notes.push(`contact ${contactId} is ${p.leadStatus ? `already ${p.leadStatus}` : 'a referrer, not a referred lead'} in "${campaign.name}"`);
        continue;
      }
      const r = await setLeadStatus(ctx, tx, {
        accountId: connection.accountId,
        participantId: p.id,
        action: 'qualify',
        actor,
        reason: describeRule(rules[0]!),
        externalEventId: `hubspot:${e.portalId}:${e.eventId}`,
      });
      if (r.changed) {
        qualified++;
        // Later events of this batch about the same person see them qualified.
        p.leadStatus = 'qualified';
      } else notes.push(`contact ${contactId} was already qualified in "${campaign.name}"`);
    }
  }
  const head = qualified ? `qualified ${qualified} lead${qualified > 1 ? 's' : ''}` : 'skipped: nobody to qualify';
  return [head, ...notes].join('; ').slice(0, 1000);
}
