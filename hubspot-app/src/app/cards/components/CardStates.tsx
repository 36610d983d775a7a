// The card's non-data states: loading, failed, nothing to show yet.
import { Alert, Button, EmptyState, ErrorState, Link, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { NOTICE_TITLE } from '../lib/labels.ts';
import type { Notice } from '../lib/types.ts';

export function LoadingCard() {
  return <LoadingSpinner label="Loading referrals…" layout="centered" />;
}

export function LoadFailed({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <ErrorState title="Couldn’t load referrals" type="error">
      <Text>{message}</Text>
      <Button testId="retry" onClick={onRetry}>
        Retry
      </Button>
    </ErrorState>
  );
}

export function NoCampaign({ consoleUrl }: { consoleUrl: string }) {
  return (
    <EmptyState title="No referral campaign yet" layout="vertical" imageName="target" testId="no-campaign">
      <Text>Create a campaign in Refcard and every contact here gets a referral link.</Text>
      <Link href={{ url: consoleUrl, external: true }} testId="open-console">
        Create a campaign in Refcard
      </Link>
    </EmptyState>
  );
}

export function NoEmail() {
  return (
    <EmptyState title="No email address" layout="vertical" imageName="contacts" testId="no-email">
      <Text>Refcard enrols people by email. Add an email address to this contact to give them a referral link.</Text>
    </EmptyState>
  );
}

/** A notice that came with the view itself (not as the answer to a button; those become alerts). */
export function NoticeAlert({ notice }: { notice: Notice }) {
  return (
    <Alert title={NOTICE_TITLE[notice.type]} variant={notice.type} testId="notice">
      {notice.message}
    </Alert>
  );
}
