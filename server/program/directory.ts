import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditEvents, crmLinks, participants, type Participant } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import type { AppContext } from '../context.ts';
import { normalizeEmail } from '../../shared/email.ts';
import { isWellFormedCode } from '../../shared/codes.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { markCrmDirty } from './crm-dirty.ts';
import { ProgramError, notFound } from './errors.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One participant by id, email or referral code. An email names a person per campaign, so it
 * needs `campaignId`; ids and codes are unique on their own.
 */
export async function findParticipant(q: Queryable, accountId: string, key: string, campaignId?: string): Promise<Participant> {
  let where: SQL | undefined;
  if (UUID_RE.test(key)) where = eq(participants.id, key);
  else if (key.includes('@')) {
    if (!campaignId) throw new ProgramError(400, 'campaign_required', 'Looking a person up by email needs campaign_id: one email may be in several campaigns.', 'campaign_id');
    where = and(eq(participants.email, normalizeEmail(key)), eq(participants.campaignId, campaignId));
  } else if (isWellFormedCode(key.toLowerCase())) where = eq(participants.code, key.toLowerCase());
  else throw new ProgramError(400, 'invalid_identifier', 'Expected a participant id, an email or a referral code.', 'id');
  const [p] = await q
    .select()
    .from(participants)
    .where(and(where, eq(participants.accountId, accountId), campaignId ? eq(participants.campaignId, campaignId) : undefined));
  if (!p) throw notFound('The participant', 'id');
  return p;
}

export interface ListQuery {
  campaignId: string;
  status?: 'referrer' | 'pending' | 'qualified' | 'unqualified';
  search?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paginated on (created_at, id): stable under concurrent inserts. */
export async function listParticipants(q: Queryable, accountId: string, query: ListQuery): Promise<{ rows: Participant[]; nextCursor: string | null }> {
  const conds: (SQL | undefined)[] = [eq(participants.accountId, accountId), eq(participants.campaignId, query.campaignId), isNull(participants.erasedAt)];
  if (query.status === 'referrer') conds.push(isNull(participants.leadStatus));
  else if (query.status) conds.push(eq(participants.leadStatus, query.status));
  if (query.search) {
    const like = `%${query.search.replace(/[\\%_]/g, (m) => `\\${m}`).toLowerCase()}%`;
    conds.push(or(sql`${participants.email} like ${like}`, sql`lower(coalesce(${participants.firstName},'') || ' ' || coalesce(${participants.lastName},'')) like ${like}`, eq(participants.code, query.search.toLowerCase())));
  }
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    conds.push(or(lt(participants.createdAt, c.at), and(eq(participants.createdAt, c.at), lt(participants.id, c.id))));
  }
  const rows = await q
    .select()
    .from(participants)
    .where(and(...conds))
    .orderBy(desc(participants.createdAt), desc(participants.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? encodeCursor(last) : null };
}

const encodeCursor = (p: Participant) => Buffer.from(JSON.stringify([p.createdAt.toISOString(), p.id])).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const d = new Date(at);
    if (Number.isNaN(d.getTime()) || !UUID_RE.test(id)) throw new Error('bad');
    return { at: d, id };
  } catch {
    throw new ProgramError(400, 'invalid_cursor', 'The cursor is not one this API returned.', 'cursor');
  }
}

export async function updateParticipant(
  ctx: AppContext,
  tx: Tx,
  accountId: string,
  id: string,
  patch: { firstName?: string | null; lastName?: string | null; customFields?: Record<string, string | number | boolean | null> },
  actor: Actor,
): Promise<Participant> {
  const [before] = await tx.select().from(participants).where(and(eq(participants.id, id), eq(participants.accountId, accountId))).for('update');
  if (!before) throw notFound('The participant', 'id');
  if (before.erasedAt) throw new ProgramError(410, 'erased', 'This person asked to be forgotten; their record is anonymised.', 'id');
  const [p] = await tx
    .update(participants)
    .set({
      ...(patch.firstName !== undefined && { firstName: patch.firstName }),
      ...(patch.lastName !== undefined && { lastName: patch.lastName }),
      ...(patch.customFields !== undefined && { customFields: { ...before.customFields, ...patch.customFields } }),
      updatedAt: ctx.now(),
    })
    .where(eq(participants.id, id))
    .returning();
  await audit(tx, {
    accountId,
    campaignId: before.campaignId,
    participantId: id,
    action: 'participant.updated',
    actor,
    before: { firstName: before.firstName, lastName: before.lastName, customFields: before.customFields },
    after: patch,
  });
  await markCrmDirty(ctx, tx, accountId, [id]);
  return p!;
}

/**
 * Right to erasure: personal data goes (email, names, custom fields, CRM links, personal values in
 * the audit trail); the row stays, anonymised, so referrers' counts and rewards stay true and the
 * audit trail keeps an anonymised record of what happened.
 */
export async function eraseParticipant(ctx: AppContext, tx: Tx, accountId: string, id: string, actor: Actor): Promise<Participant> {
  const [before] = await tx.select().from(participants).where(and(eq(participants.id, id), eq(participants.accountId, accountId))).for('update');
  if (!before) throw notFound('The participant', 'id');
  if (before.erasedAt) return before;
  const now = ctx.now();
  const [p] = await tx
    .update(participants)
    .set({ email: null, firstName: null, lastName: null, customFields: {}, statusReason: null, erasedAt: now, updatedAt: now })
    .where(eq(participants.id, id))
    .returning();
  await tx.delete(crmLinks).where(eq(crmLinks.participantId, id));
  await tx.update(auditEvents).set({ before: null, after: null, reason: null }).where(eq(auditEvents.participantId, id));
  await audit(tx, { accountId, campaignId: before.campaignId, participantId: id, action: 'participant.erased', actor });
  // Their referrer's counts changed nothing, but the referrer's "referred by" view of them did.
  if (before.referredById) await markCrmDirty(ctx, tx, accountId, [before.referredById]);
  return p!;
}
