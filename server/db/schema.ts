import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type {
  CampaignSettings,
  FieldMapping,
  QualificationRule,
  RewardRule,
} from '../../shared/campaign.ts';

const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** A customer of Refcard. Everything else hangs off an account and is only ever read through it. */
export const accounts = pgTable('accounts', {
  id: id(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** first characters of the key, shown so admins can tell keys apart */
    prefix: text('prefix').notNull(),
    /** sha256 of the whole key; the key itself is shown once and never stored */
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.hash), index('api_keys_account_idx').on(t.accountId)],
);

export const campaigns = pgTable(
  'campaigns',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'paused', 'archived'] }).notNull().default('active'),
    /** when set, links are `<landingUrl>?ref=<code>` instead of `PUBLIC_URL/r/<code>` */
    landingUrl: text('landing_url'),
    rewardRules: jsonb('reward_rules').$type<RewardRule[]>().notNull().default([]),
    qualificationRules: jsonb('qualification_rules').$type<QualificationRule[]>().notNull().default([]),
    settings: jsonb('settings').$type<CampaignSettings>().notNull(),
    fieldMapping: jsonb('field_mapping').$type<FieldMapping>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('campaigns_account_idx').on(t.accountId)],
);

/** A person in a campaign: a referrer, a referred lead, or both. Unique per campaign by email. */
export const participants = pgTable(
  'participants',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    /** normalised (trimmed, lower-cased); null once erased */
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    code: text('code').notNull(),
    referredById: uuid('referred_by_id'),
    source: text('source').notNull(),
    /** null for someone who was not referred */
    leadStatus: text('lead_status', { enum: ['pending', 'qualified', 'unqualified'] }),
    statusChangedAt: ts('status_changed_at'),
    statusReason: text('status_reason'),
    statusSource: text('status_source'),
    customFields: jsonb('custom_fields').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    erasedAt: ts('erased_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('participants_campaign_email_uq').on(t.campaignId, t.email),
    uniqueIndex('participants_code_uq').on(t.code),
    // A referrer's leads newest first (the card's list, no sort), with their status for the counts (index-only).
    index('participants_referrer_idx').on(t.referredById, t.createdAt.desc(), t.id, t.leadStatus),
    index('participants_campaign_status_idx').on(t.campaignId, t.leadStatus, t.createdAt),
    index('participants_account_email_idx').on(t.accountId, t.email),
  ],
);

export const rewards = pgTable(
  'rewards',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    leadId: uuid('lead_id').notNull().references(() => participants.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id').notNull().references(() => participants.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').notNull(),
    description: text('description').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['due', 'paid', 'voided'] }).notNull().default('due'),
    issuedAt: ts('issued_at').notNull().defaultNow(),
    paidAt: ts('paid_at'),
    voidedAt: ts('voided_at'),
  },
  // At most one reward per lead, rule and recipient, ever: re-qualifying reinstates, never re-issues.
  (t) => [
    uniqueIndex('rewards_once_uq').on(t.leadId, t.ruleId, t.recipientId),
    index('rewards_recipient_idx').on(t.recipientId, t.status),
  ],
);

/** Append-only: who changed what, from where, before and after. Kept (anonymised) after erasure. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id'),
    participantId: uuid('participant_id'),
    action: text('action').notNull(),
    source: text('source').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    externalEventId: text('external_event_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_account_created_idx').on(t.accountId, t.createdAt),
    index('audit_participant_idx').on(t.participantId),
  ],
);

/** A HubSpot portal or Intercom workspace connected to an account. */
export const connections = pgTable(
  'connections',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['hubspot', 'intercom'] }).notNull(),
    /** HubSpot hub id or Intercom workspace id_code */
    externalId: text('external_id').notNull(),
    name: text('name'),
    status: text('status', { enum: ['connected', 'disconnected'] }).notNull().default('connected'),
    statusReason: text('status_reason'),
    accessTokenEnc: text('access_token_enc'),
    refreshTokenEnc: text('refresh_token_enc'),
    accessTokenExpiresAt: ts('access_token_expires_at'),
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    installedBy: jsonb('installed_by').$type<{ id: string | null; email: string | null }>(),
    refreshFailures: integer('refresh_failures').notNull().default(0),
    lastWebhookAt: ts('last_webhook_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('connections_provider_external_uq').on(t.provider, t.externalId),
    index('connections_account_idx').on(t.accountId),
  ],
);

/** Which CRM record stands for which participant, so cards resolve without a CRM call. */
export const crmLinks = pgTable(
  'crm_links',
  {
    participantId: uuid('participant_id').notNull().references(() => participants.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    /**
     * The names (firstname, lastname) Refcard still owes a contact it created: HubSpot's upsert
     * cannot carry a name only for the contacts it creates, so the name follows in a second write,
     * and a name HubSpot refuses (an admin's validation rule) is left out. Each is sent once, with
     * this participant's next push or when HubSpot, after refusing names for the whole portal, is
     * asked again; and only the ones owed: a name already written is the CRM users' to change.
     */
    namesOwed: text('names_owed').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.participantId, t.connectionId] }),
    index('crm_links_external_idx').on(t.connectionId, t.externalId),
  ],
);

/** Participants whose CRM properties/attributes must be pushed; drained in coalesced batches. */
export const crmPushQueue = pgTable(
  'crm_push_queue',
  {
    connectionId: uuid('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    participantId: uuid('participant_id').notNull().references(() => participants.id, { onDelete: 'cascade' }),
    /** bumped on every change, so a push that raced a newer change does not clear it */
    version: integer('version').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    dirtyAt: ts('dirty_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.participantId] }), index('crm_push_dirty_idx').on(t.connectionId, t.dirtyAt)],
);

/** Inbound CRM webhook events, stored before they are acknowledged and applied by jobs. */
export const webhookInbox = pgTable(
  'webhook_inbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider', { enum: ['hubspot', 'intercom'] }).notNull(),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    dedupeKey: text('dedupe_key').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: ts('occurred_at'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
    result: text('result'),
  },
  (t) => [
    uniqueIndex('webhook_inbox_dedupe_uq').on(t.provider, t.dedupeKey),
    // The apply job's claim (a connection's unapplied events, oldest first) must not sort every
    // applied event ever stored: only the unapplied ones are in this index, in claim order.
    index('webhook_inbox_unapplied_idx').on(t.connectionId, t.occurredAt, t.id).where(sql`${t.processedAt} is null`),
  ],
);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['hubspot', 'intercom'] }).notNull(),
    /** { kind: 'all' } | { kind: 'list', id } | { kind: 'segment', id } */
    source: jsonb('source').$type<{ kind: 'all' | 'list' | 'segment'; id?: string; name?: string }>().notNull(),
    mode: text('mode', { enum: ['once', 'ongoing'] }).notNull(),
    state: text('state', { enum: ['queued', 'running', 'completed', 'failed', 'paused', 'waiting'] }).notNull().default('queued'),
    /** provider cursor of the last page fully applied: a restart resumes after it */
    cursor: text('cursor'),
    done: integer('done').notNull().default(0),
    total: integer('total'),
    failed: integer('failed').notNull().default(0),
    errors: jsonb('errors').$type<{ externalId: string; message: string }[]>().notNull().default([]),
    /** for ongoing syncs: high-water mark of what has been seen */
    watermark: text('watermark'),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('sync_runs_account_idx').on(t.accountId)],
);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description'),
    /** event types this endpoint receives; empty = all */
    events: jsonb('events').$type<string[]>().notNull().default([]),
    /** signing secret, encrypted at rest (it must be read back to sign) */
    secretEnc: text('secret_enc').notNull(),
    createdAt: createdAt(),
    disabledAt: ts('disabled_at'),
  },
  (t) => [index('webhook_endpoints_account_idx').on(t.accountId)],
);

/** Outbound events; ids are stable so receivers can deduplicate. */
export const outboundEvents = pgTable(
  'outbound_events',
  {
    id: text('id').primaryKey(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('outbound_events_account_idx').on(t.accountId, t.createdAt)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull().references(() => outboundEvents.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastAttemptAt: ts('last_attempt_at'),
    deliveredAt: ts('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_once_uq').on(t.eventId, t.endpointId),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  ],
);

/** `Idempotency-Key` answers: a repeat with the same key and body gets the first answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);

/** OAuth `state` values: single use, bound to the browser that started the flow. */
export const oauthStates = pgTable('oauth_states', {
  stateHash: text('state_hash').primaryKey(),
  provider: text('provider', { enum: ['hubspot', 'intercom'] }).notNull(),
  purpose: text('purpose', { enum: ['install', 'signin'] }).notNull(),
  accountId: uuid('account_id'),
  browserHash: text('browser_hash').notNull(),
  returnTo: text('return_to'),
  createdAt: createdAt(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/** Admin console sessions (the cookie holds the random id; the table its hash). */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    user: jsonb('user').$type<{ provider: 'hubspot' | 'intercom'; id: string; email: string | null; name: string | null }>().notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_account_idx').on(t.accountId)],
);

/** Small key/value rows for per-tenant coordination (rate-limit buckets, caches). */
export const rateBuckets = pgTable('rate_buckets', {
  key: text('key').primaryKey(),
  /** request timestamps (ms) inside the current window, oldest first */
  stamps: jsonb('stamps').$type<number[]>().notNull().default(sql`'[]'::jsonb`),
  updatedAt: updatedAt(),
});

export const appMeta = pgTable('app_meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  isSecret: boolean('is_secret').notNull().default(false),
  updatedAt: updatedAt(),
});

export type Account = typeof accounts.$inferSelect;
export type Campaign = typeof campaigns.$inferSelect;
export type Participant = typeof participants.$inferSelect;
export type Reward = typeof rewards.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Connection = typeof connections.$inferSelect;
export type SyncRun = typeof syncRuns.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
