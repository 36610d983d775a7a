import type { InboundMappingRow, OutboundMappingRow, ParticipantField } from './campaign.ts';

export type ParticipantValues = Record<ParticipantField, string | number | null>;

/**
 * The CRM properties/attributes to write for one participant. A dynamic row takes a participant
 * field, a fixed row its constant; `null` becomes '' because CRMs clear a value with an empty
 * string (Intercom leads reject null outright).
 */
export function outboundValues(rows: OutboundMappingRow[], values: ParticipantValues): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const row of rows) {
    const v = row.source.kind === 'fixed' ? row.source.value : values[row.source.field];
    out[row.target] = v ?? '';
  }
  return out;
}

/** Participant fields taken from a CRM record when it is synced in. */
export function inboundValues(
  rows: InboundMappingRow[],
  record: Record<string, unknown>,
): { firstName?: string; lastName?: string; custom: Record<string, string> } {
  const out: { firstName?: string; lastName?: string; custom: Record<string, string> } = { custom: {} };
  for (const row of rows) {
    const raw = record[row.source];
    if (raw === undefined || raw === null || raw === '') continue;
    const v = String(raw).slice(0, 500);
    if (row.target === 'first_name') out.firstName = v;
    else if (row.target === 'last_name') out.lastName = v;
    else out.custom[row.target.slice('custom.'.length)] = v;
  }
  return out;
}
