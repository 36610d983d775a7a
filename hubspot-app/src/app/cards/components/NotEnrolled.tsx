// A contact with an email who is not in the selected campaign: one click gives them a link.
import { Button, EmptyState, Text } from '@hubspot/ui-extensions';
import { displayName } from '../lib/labels.ts';
import type { ContactView } from '../lib/types.ts';

export function NotEnrolled({ view, busy, onEnrol }: { view: ContactView; busy: boolean; onEnrol: () => void }) {
  return (
    <EmptyState title="Not in this campaign yet" layout="vertical" imageName="leads" testId="not-enrolled">
      <Text>
        Enrol {displayName(view.contact)} as a referrer in {view.campaign?.name ?? 'this campaign'} to get their referral link.
      </Text>
      <Button testId="enrol" variant="primary" disabled={busy} onClick={onEnrol}>
        Enrol as referrer
      </Button>
    </EmptyState>
  );
}
