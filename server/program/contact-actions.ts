import type { AppContext } from '../context.ts';
import type { ContactAction, ContactView, Notice } from '../../shared/view-model.ts';
import type { Actor } from './actor.ts';
import { buildContactView, type CrmContact } from './contact-view.ts';
import { enrolReferrer } from './participants.ts';
import { setLeadStatus } from './qualify.ts';
import { linkCrmRecord } from './crm-links.ts';
import { ProgramError } from './errors.ts';

/**
 * What the card's and the canvas's buttons do, for one CRM contact, answered with the new view.
 * Refusals become a danger notice on the view rather than an error page, so the rep sees why.
 */
export async function performContactAction(
  ctx: AppContext,
  input: { accountId: string; connectionId: string; contact: CrmContact; action: ContactAction; actor: Actor },
): Promise<ContactView> {
  const { action } = input;
  let notice: Notice | null = null;
  const campaignId = 'campaignId' in action ? (action.campaignId ?? null) : null;
  try {
    await ctx.db.transaction(async (tx) => {
      switch (action.action) {
        case 'qualify':
        case 'unqualify': {
          const r = await setLeadStatus(ctx, tx, {
            accountId: input.accountId,
            participantId: action.participantId,
            action: action.action,
            actor: input.actor,
            reason: action.reason?.trim() || null,
          });
          const verb = action.action === 'qualify' ? 'qualified' : 'unqualified';
          notice = r.changed
            ? { type: 'success', message: `Lead ${verb}.${r.issued.length ? ` ${r.issued.length} reward${r.issued.length > 1 ? 's' : ''} issued.` : ''}${r.voided.length ? ` ${r.voided.length} unpaid reward${r.voided.length > 1 ? 's' : ''} voided.` : ''}` }
            : { type: 'info', message: `This lead was already ${verb}.` };
          return;
        }
        case 'enrol': {
          if (!input.contact.email) throw new ProgramError(422, 'no_email', 'This contact has no email address, and Refcard identifies people by email.', 'email');
          const [first, ...rest] = (input.contact.name ?? '').split(' ');
          const r = await enrolReferrer(ctx, tx, {
            accountId: input.accountId,
            campaignId: action.campaignId,
            email: input.contact.email,
            firstName: first || null,
            lastName: rest.join(' ') || null,
            source: input.actor.source,
            actor: input.actor,
          });
          await linkCrmRecord(tx, r.participant.id, input.connectionId, input.contact.crmId);
          notice = r.created ? { type: 'success', message: 'Enrolled: their referral link is ready to share.' } : { type: 'info', message: 'Already enrolled in this campaign.' };
          return;
        }
        case 'select_campaign':
        case 'refresh':
          return;
      }
    });
  } catch (err) {
    if (!(err instanceof ProgramError)) throw err;
    notice = { type: 'danger', message: err.message };
  }
  return buildContactView(ctx, { accountId: input.accountId, connectionId: input.connectionId, contact: input.contact, campaignId, notice });
}
