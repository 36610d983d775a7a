// JSON renderers for contacts and the small objects that travel with them. Key order and the
// null-filled fields follow the OAS 2.14 examples, which are captures of real responses.
import { emailDomain } from './search-query.ts';
import type { AdminRec, AppliedTag, ContactRec, TagRec, WorkspaceRec } from './state.ts';

/** Intercom inlines at most this many tags/companies in a contact and flags `has_more`. */
const INLINE_LIMIT = 10;

const subList = (contactId: string, kind: string, data: unknown[], total = data.length) => ({
  type: 'list',
  data,
  url: `/contacts/${contactId}/${kind}`,
  total_count: total,
  has_more: total > data.length,
});

export function renderContact(ws: WorkspaceRec, c: ContactRec): Record<string, unknown> {
  const tags = c.tags.slice(0, INLINE_LIMIT).map((t) => ({ type: 'tag', id: t.id, url: `/tags/${t.id}` }));
  const companies = c.company_ids.slice(0, INLINE_LIMIT).map((id) => ({ id, type: 'company', url: `/companies/${id}` }));
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.custom_attributes)) if (v !== null) custom[k] = v;
  return {
    type: 'contact',
    id: c.id,
    workspace_id: ws.id_code,
    external_id: c.external_id,
    role: c.role,
    // The 2.14 schema types email as a non-null string; contacts without one get "".
    email: c.email ?? '',
    email_domain: emailDomain(c.email),
    phone: c.phone,
    name: c.name,
    avatar: c.avatar ? { type: 'avatar', image_url: c.avatar } : null,
    owner_id: c.owner_id,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: c.has_hard_bounced,
    marked_email_as_spam: c.marked_email_as_spam,
    unsubscribed_from_emails: c.unsubscribed_from_emails,
    created_at: c.created_at,
    updated_at: c.updated_at,
    signed_up_at: c.signed_up_at,
    last_seen_at: c.last_seen_at,
    last_replied_at: c.last_replied_at,
    last_contacted_at: c.last_contacted_at,
    last_email_opened_at: c.last_email_opened_at,
    last_email_clicked_at: c.last_email_clicked_at,
    language_override: c.language_override,
    browser: c.browser,
    browser_version: c.browser_version,
    browser_language: c.browser_language,
    os: c.os,
    location: { type: 'location', ...c.location },
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: custom,
    tags: subList(c.id, 'tags', tags, c.tags.length),
    notes: subList(c.id, 'notes', []),
    companies: subList(c.id, 'companies', companies, c.company_ids.length),
    opted_out_subscription_types: subList(c.id, 'subscriptions', []),
    opted_in_subscription_types: subList(c.id, 'subscriptions', []),
    utm_campaign: null,
    utm_content: null,
    utm_medium: null,
    utm_source: null,
    utm_term: null,
    referrer: null,
    enabled_push_messaging: null,
  };
}

export const renderContactRef = (c: Pick<ContactRec, 'id' | 'external_id'>) => ({ type: 'contact', id: c.id, external_id: c.external_id });

export const renderTagBasic = (t: TagRec) => ({ type: 'tag', id: t.id, name: t.name });

export const renderAppliedTag = (t: TagRec, applied: AppliedTag) => ({
  type: 'tag',
  id: t.id,
  name: t.name,
  applied_at: applied.applied_at,
  applied_by: applied.applied_by,
});

export const renderAdmin = (a: AdminRec) => ({
  type: 'admin',
  id: a.id,
  name: a.name,
  email: a.email,
  job_title: a.job_title,
  away_mode_enabled: a.away_mode_enabled,
  away_mode_reassign: a.away_mode_reassign,
  away_status_reason_id: null,
  has_inbox_seat: a.has_inbox_seat,
  team_ids: a.team_ids,
  avatar: null,
  team_priority_level: null,
});
