// The reason prompt shown before unqualifying a lead (unqualifying may void a reward, so it is
// never one accidental click away).

import type { ContactView } from '../shared/view-model.ts';
import { componentIdFor, REASON_INPUT_ID } from './component-ids.ts';
import { shrinkToFit } from './limits.ts';
import { buildStoredData } from './stored-data.ts';
import { escapeMarkdown, MAX_LEN } from './text.ts';
import type { Canvas } from './types.ts';

export function renderUnqualifyPrompt(view: ContactView, participantId: string): Canvas {
  const who = leadName(view, participantId);
  return shrinkToFit({
    content: {
      components: [
        { type: 'text', style: 'header', text: 'Unqualify lead' },
        { type: 'text', text: who ? `Mark **${escapeMarkdown(who, MAX_LEN.name)}** as unqualified?` : 'Mark this lead as unqualified?' },
        { type: 'textarea', id: REASON_INPUT_ID, label: 'Reason (optional)', placeholder: 'e.g. existing customer, duplicate' },
        { type: 'button', id: componentIdFor({ action: 'unqualify', participantId }), label: 'Unqualify', style: 'primary', action: { type: 'submit' } },
        { type: 'button', id: componentIdFor({ action: 'cancel' }), label: 'Cancel', style: 'secondary', action: { type: 'submit' } },
      ],
    },
    stored_data: { ...buildStoredData(view) },
  });
}

/** The lead's name or email as the view knows it: the contact itself, or one of its leads. */
function leadName(view: ContactView, participantId: string): string | null {
  const enrolment = view.enrolment;
  if (!enrolment) return null;
  if (enrolment.participantId === participantId) return view.contact.name ?? view.contact.email ?? enrolment.name;
  const row = enrolment.referrer.leads.find((lead) => lead.participantId === participantId);
  return row ? (row.name ?? row.email) : null;
}
