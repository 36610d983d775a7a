// When the contact was referred by someone: who, how far the lead got, and the buttons to decide.
import { Button, ButtonRow, Flex, Heading, StatusTag, Text, TextArea } from '@hubspot/ui-extensions';
import { displayName, shortDate, STATUS_LABEL, STATUS_VARIANT } from '../lib/labels.ts';
import type { LeadSection } from '../lib/types.ts';

interface LeadStatusProps {
  lead: LeadSection;
  participantId: string;
  busy: string | null;
  reason: string;
  onReasonChange: (reason: string) => void;
  onQualify: () => void;
  onUnqualify: () => void;
}

export function LeadStatus({ lead, participantId, busy, reason, onReasonChange, onQualify, onUnqualify }: LeadStatusProps) {
  const changed = shortDate(lead.statusChangedAt);
  return (
    <Flex direction="column" gap="xs" testId="lead-status">
      <Heading>Referred lead</Heading>
      <Flex direction="row" gap="sm" align="center">
        <StatusTag variant={STATUS_VARIANT[lead.status]} testId="lead-status-tag">
          {STATUS_LABEL[lead.status]}
        </StatusTag>
        <Text inline>
          Referred by {displayName(lead.referredBy)} on {shortDate(lead.referredAt)}
        </Text>
      </Flex>
      {lead.statusReason ? <Text>Reason: {lead.statusReason}</Text> : null}
      {lead.statusSource && changed ? (
        <Text variant="microcopy">
          {STATUS_LABEL[lead.status]} by {lead.statusSource} on {changed}
        </Text>
      ) : null}
      <TextArea
        name="lead-reason"
        testId="lead-reason"
        label="Reason (optional)"
        placeholder="Why you qualify or unqualify this lead"
        rows={2}
        maxLength={500}
        value={reason}
        onChange={onReasonChange}
      />
      <ButtonRow>
        {lead.status !== 'qualified' ? (
          <Button testId={`qualify-${participantId}`} variant="primary" disabled={busy !== null} onClick={onQualify}>
            Qualify
          </Button>
        ) : null}
        {lead.status !== 'unqualified' ? (
          <Button testId={`unqualify-${participantId}`} variant="destructive" disabled={busy !== null} onClick={onUnqualify}>
            Unqualify
          </Button>
        ) : null}
      </ButtonRow>
    </Flex>
  );
}
