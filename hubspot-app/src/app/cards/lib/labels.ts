// Words and colours shared by the card's views.
import type { LeadStatus, Notice } from './types.ts';

export const STATUS_LABEL: Record<LeadStatus, string> = {
  pending: 'Pending',
  qualified: 'Qualified',
  unqualified: 'Unqualified',
};

/** StatusTag variants: amber while undecided, green for qualified, red for unqualified. */
export const STATUS_VARIANT: Record<LeadStatus, 'warning' | 'success' | 'danger'> = {
  pending: 'warning',
  qualified: 'success',
  unqualified: 'danger',
};

export const NOTICE_TITLE: Record<Notice['type'], string> = {
  success: 'Done',
  info: 'Note',
  warning: 'Heads up',
  danger: 'Something went wrong',
};

/** `2026-03-01` from an ISO-8601 stamp (the card shows dates, not times). */
export function shortDate(iso: string | null | undefined): string {
  return iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : '';
}

/** "Jane Doe" or "jane@example.com" or a placeholder. */
export function displayName(person: { name: string | null; email: string | null }): string {
  return person.name?.trim() || person.email?.trim() || 'Unknown';
}
