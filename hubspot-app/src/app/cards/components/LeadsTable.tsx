// The people this contact referred, newest first, each with its Qualify or Unqualify button.
import { Button, Link, StatusTag, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import { shortDate, STATUS_LABEL, STATUS_VARIANT } from '../lib/labels.ts';
import type { LeadRow } from '../lib/types.ts';

interface LeadsTableProps {
  leads: LeadRow[];
  moreLeads: number;
  consoleUrl: string;
  busy: string | null;
  onQualify: (lead: LeadRow) => void;
  onUnqualify: (lead: LeadRow) => void;
}

export function LeadsTable({ leads, moreLeads, consoleUrl, busy, onQualify, onUnqualify }: LeadsTableProps) {
  if (leads.length === 0) return <Text testId="no-leads">No referrals yet. Share the link to get the first one.</Text>;
  return (
    <>
      <Table bordered flush density="condensed" testId="leads-table">
        <TableHead>
          <TableRow>
            <TableHeader>Lead</TableHeader>
            <TableHeader>Status</TableHeader>
            <TableHeader>Referred</TableHeader>
            <TableHeader width="min">Action</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {leads.map((lead) => (
            <TableRow key={lead.participantId}>
              <TableCell>
                <Text>{lead.name ?? lead.email}</Text>
                {lead.name ? <Text variant="microcopy">{lead.email}</Text> : null}
              </TableCell>
              <TableCell>
                <StatusTag variant={STATUS_VARIANT[lead.status]}>{STATUS_LABEL[lead.status]}</StatusTag>
              </TableCell>
              <TableCell>{shortDate(lead.referredAt)}</TableCell>
              <TableCell>
                {lead.status === 'qualified' ? (
                  <Button testId={`unqualify-${lead.participantId}`} size="xs" variant="secondary" disabled={busy !== null} onClick={() => onUnqualify(lead)}>
                    Unqualify
                  </Button>
                ) : (
                  <Button testId={`qualify-${lead.participantId}`} size="xs" variant="primary" disabled={busy !== null} onClick={() => onQualify(lead)}>
                    Qualify
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {moreLeads > 0 ? (
        <Link href={{ url: consoleUrl, external: true }} testId="more-leads">
          {`+${moreLeads} more in Refcard`}
        </Link>
      ) : null}
    </>
  );
}
