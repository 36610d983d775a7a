import type { Campaign, Connection } from '../db/schema.ts';
import type { Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { describeRule, matchingRules } from '../../shared/rules.ts';
import type { QualificationRule } from '../../shared/campaign.ts';
import { findMemberships } from '../program/contact-view.ts';
import { setLeadStatus } from '../program/qualify.ts';
import { ProgramError } from '../program/errors.ts';
import type { Actor } from '../program/actor.ts';
import type { IntercomContact } from './contacts.ts';
import { contactEmail } from './contacts.ts';
import { attributeText } from './people.ts';

// Qualification rules met in Intercom: a tag applied to a contact, or a contact attribute
// reaching a value, qualifies that contact's pending lead in each campaign whose rule it meets.
// Only pending leads move: a lead someone unqualified by hand is not overruled by automation.

export interface RuleHit {
  campaign: Campaign;
  rule: QualificationRule;
}

export function tagRuleHits(campaigns: Campaign[], tagId: string): RuleHit[] {
  return campaigns.flatMap((campaign) => matchingRules(campaign.qualificationRules, { kind: 'intercom_tag', tagId }).slice(0, 1).map((rule) => ({ campaign, rule })));
}

export function attributeRuleHits(campaigns: Campaign[], contact: IntercomContact): RuleHit[] {
  return campaigns.flatMap((campaign) => {
    const hit = campaign.qualificationRules.find(
      (rule) => rule.kind === 'intercom_attribute' && matchingRules([rule], { kind: 'intercom_attribute', attribute: rule.attribute, value: attributeText(contact, rule.attribute) }).length > 0,
    );
    return hit ? [{ campaign, rule: hit }] : [];
  });
}

/** Qualifies the contact's pending leads in the hit campaigns; returns what happened, for the inbox log. */
export async function qualifyContactLeads(
  ctx: AppContext,
  tx: Tx,
  input: { connection: Connection; contact: IntercomContact; hits: RuleHit[]; actor: Actor; eventId: string },
): Promise<string> {
  const { connection, contact, hits } = input;
  const memberships = await findMemberships(
    tx,
    connection.accountId,
    connection.id,
    { crmId: contact.id, email: contactEmail(contact), name: contact.name ?? null },
    hits.map((h) => h.campaign.id),
  );
  const done: string[] = [];
  const skipped: string[] = [];
  for (const { campaign, rule } of hits) {
    const p = memberships.find((m) => m.campaignId === campaign.id);
    if (!p) skipped.push(`not in campaign "${campaign.name}"`);
    else if (!p.referredById || !p.leadStatus) skipped.push(`not a referred lead in "${campaign.name}"`);
    else if (p.leadStatus !== 'pending') skipped.push(`lead already ${p.leadStatus} in "${campaign.name}"`);
    else {
      try {
        const r = await setLeadStatus(ctx, tx, {
          accountId: connection.accountId,
          participantId: p.id,
          action: 'qualify',
          actor: input.actor,
          reason: describeRule(rule),
          externalEventId: input.eventId,
        });
        (r.changed ? done : skipped).push(r.changed ? `qualified in "${campaign.name}"` : `lead already qualified in "${campaign.name}"`);
      } catch (err) {
        if (!(err instanceof ProgramError)) throw err;
        skipped.push(`${err.message} ("${campaign.name}")`);
      }
    }
  }
  if (done.length) return `applied: ${[...done, ...skipped.map((s) => `skipped: ${s}`)].join('; ')}`;
  return `skipped: ${skipped.join('; ')}`;
}
