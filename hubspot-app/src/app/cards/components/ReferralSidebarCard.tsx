// The compact sidebar version: the numbers, the link with Copy, and a way to the full view.
// HubSpot offers cards no action to switch the record to another tab, so "Open full view" opens
// the contact in the Refcard console; the record's Referrals tab is one click away in HubSpot.
import { Button, Flex, Link, StatusTag, Text } from '@hubspot/ui-extensions';
import type { CardProps } from '../hooks/card-props.ts';
import { useContactView } from '../hooks/useContactView.ts';
import { STATUS_LABEL, STATUS_VARIANT } from '../lib/labels.ts';
import { LoadFailed, LoadingCard, NoCampaign } from './CardStates.tsx';
import { ReferralStats } from './ReferralStats.tsx';

export function ReferralSidebarCard({ context, actions }: CardProps) {
  const card = useContactView(String(context.crm.objectId), actions);
  const { state } = card;

  if (state.status === 'loading') return <LoadingCard />;
  if (state.status === 'error') return <LoadFailed message={state.message} onRetry={() => void card.reload()} />;
  const { view } = state;
  if (!view.campaign) return <NoCampaign consoleUrl={view.consoleUrl} />;
  const campaign = view.campaign;
  const enrolment = view.enrolment;

  return (
    <Flex direction="column" gap="sm">
      {enrolment ? (
        <>
          {enrolment.lead ? (
            <Flex direction="row" gap="xs" align="center">
              <Text inline>Lead:</Text>
              <StatusTag variant={STATUS_VARIANT[enrolment.lead.status]} testId="lead-status-tag">
                {STATUS_LABEL[enrolment.lead.status]}
              </StatusTag>
            </Flex>
          ) : null}
          <ReferralStats stats={enrolment.referrer.stats} compact />
          <Link href={{ url: enrolment.referrer.link, external: true }} testId="referral-link">
            {enrolment.referrer.link}
          </Link>
          <Button testId="copy-link" size="sm" variant="secondary" onClick={() => void card.copyLink(enrolment.referrer.link)}>
            Copy link
          </Button>
        </>
      ) : view.contact.email ? (
        <>
          <Text testId="not-enrolled">Not in {campaign.name} yet.</Text>
          <Button
            testId="enrol"
            size="sm"
            variant="primary"
            disabled={card.busy !== null}
            onClick={() => void card.run('enrol', { action: 'enrol', campaignId: campaign.id }, 'Enrolled: the referral link is ready.')}
          >
            Enrol as referrer
          </Button>
        </>
      ) : (
        <Text testId="no-email">No email address, so no referral link yet.</Text>
      )}
      <Button testId="open-full-view" size="sm" variant="transparent" href={{ url: view.consoleUrl, external: true }}>
        Open full view
      </Button>
    </Flex>
  );
}
