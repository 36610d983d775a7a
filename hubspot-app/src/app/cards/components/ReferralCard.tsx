// The "Referrals" tab on a contact record: everything a rep needs about the contact's referrals,
// and the buttons to act on them. Rendered by ReferralTab.tsx via hubspot.extend; exported on its
// own so tests can render it with mock context and actions.
import { useState } from 'react';
import { Divider, Flex, Heading, Link } from '@hubspot/ui-extensions';
import type { CardProps } from '../hooks/card-props.ts';
import { useContactView } from '../hooks/useContactView.ts';
import { displayName } from '../lib/labels.ts';
import type { ContactView, Enrolment, LeadRow } from '../lib/types.ts';
import { CampaignPicker } from './CampaignPicker.tsx';
import { LoadFailed, LoadingCard, NoCampaign, NoEmail, NoticeAlert } from './CardStates.tsx';
import { LeadsTable } from './LeadsTable.tsx';
import { LeadStatus } from './LeadStatus.tsx';
import { NotEnrolled } from './NotEnrolled.tsx';
import { ReferralLink } from './ReferralLink.tsx';
import { ReferralStats } from './ReferralStats.tsx';
import { UnqualifyForm } from './UnqualifyForm.tsx';

export function ReferralCard({ context, actions }: CardProps) {
  const contactId = String(context.crm.objectId);
  const card = useContactView(contactId, actions);
  const { state } = card;

  if (state.status === 'loading') return <LoadingCard />;
  if (state.status === 'error') return <LoadFailed message={state.message} onRetry={() => void card.reload()} />;
  const { view } = state;
  if (!view.campaign) return <NoCampaign consoleUrl={view.consoleUrl} />;
  const campaign = view.campaign;

  return (
    <Flex direction="column" gap="md">
      {view.notice ? <NoticeAlert notice={view.notice} /> : null}
      <CampaignPicker campaigns={view.campaigns} current={campaign} busy={card.busy !== null} onPick={(id) => void card.reload(id)} />
      {view.enrolment ? (
        // keyed so a half-filled unqualify form never carries over to another campaign or person
        <EnrolledSections key={`${campaign.id}:${view.enrolment.participantId}`} view={view} enrolment={view.enrolment} campaignId={campaign.id} card={card} />
      ) : view.contact.email ? (
        <NotEnrolled
          view={view}
          busy={card.busy !== null}
          onEnrol={() => void card.run('enrol', { action: 'enrol', campaignId: campaign.id }, 'Enrolled: the referral link is ready.')}
        />
      ) : (
        <NoEmail />
      )}
      <Divider />
      <Link href={{ url: view.consoleUrl, external: true }} testId="open-console">
        Open in Refcard
      </Link>
    </Flex>
  );
}

interface EnrolledProps {
  view: ContactView;
  enrolment: Enrolment;
  campaignId: string;
  card: ReturnType<typeof useContactView>;
}

/** Lead status (when referred), then the contact's own link, numbers and leads. */
function EnrolledSections({ view, enrolment, campaignId, card }: EnrolledProps) {
  const [leadReason, setLeadReason] = useState('');
  const [unqualifying, setUnqualifying] = useState<LeadRow | null>(null);
  const [reason, setReason] = useState('');
  const { referrer, lead } = enrolment;
  const withReason = (text: string) => (text.trim() ? { reason: text.trim() } : {});

  const decideSelf = async (action: 'qualify' | 'unqualify') => {
    const ok = await card.run(
      `${action}:${enrolment.participantId}`,
      { action, campaignId, participantId: enrolment.participantId, ...withReason(leadReason) },
      action === 'qualify' ? 'Lead qualified.' : 'Lead unqualified.',
    );
    if (ok) setLeadReason('');
  };

  const qualifyLead = (row: LeadRow) =>
    void card.run(`qualify:${row.participantId}`, { action: 'qualify', campaignId, participantId: row.participantId }, `${displayName(row)} qualified.`);

  const confirmUnqualify = async () => {
    if (!unqualifying) return;
    const row = unqualifying;
    const ok = await card.run(
      `unqualify:${row.participantId}`,
      { action: 'unqualify', campaignId, participantId: row.participantId, ...withReason(reason) },
      `${displayName(row)} unqualified.`,
    );
    if (ok) {
      setUnqualifying(null);
      setReason('');
    }
  };

  return (
    <>
      {lead ? (
        <>
          <LeadStatus
            lead={lead}
            participantId={enrolment.participantId}
            busy={card.busy}
            reason={leadReason}
            onReasonChange={setLeadReason}
            onQualify={() => void decideSelf('qualify')}
            onUnqualify={() => void decideSelf('unqualify')}
          />
          <Divider />
        </>
      ) : null}
      <Heading>Referrals</Heading>
      <ReferralLink link={referrer.link} onCopy={() => void card.copyLink(referrer.link)} />
      <ReferralStats stats={referrer.stats} />
      <LeadsTable
        leads={referrer.leads}
        moreLeads={referrer.moreLeads}
        consoleUrl={view.consoleUrl}
        busy={card.busy}
        onQualify={qualifyLead}
        onUnqualify={(row) => {
          setUnqualifying(row);
          setReason('');
        }}
      />
      {unqualifying ? (
        <UnqualifyForm
          name={displayName(unqualifying)}
          reason={reason}
          busy={card.busy !== null}
          onReasonChange={setReason}
          onConfirm={() => void confirmUnqualify()}
          onCancel={() => setUnqualifying(null)}
        />
      ) : null}
    </>
  );
}
