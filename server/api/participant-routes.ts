import { createRoute, z } from '@hono/zod-openapi';
import type { AppContext } from '../context.ts';
import { apiRouter, problemResponses } from './env.ts';
import {
  LeadCreateSchema,
  ParticipantListQuery,
  ParticipantPatchSchema,
  ParticipantSchema,
  QualifyResultSchema,
  QualifySchema,
  ReferrerCreateSchema,
  Uuid,
} from './schemas.ts';
import { createLead, enrolReferrer, loadCampaign } from '../program/participants.ts';
import { eraseParticipant, findParticipant, listParticipants, updateParticipant } from '../program/directory.ts';
import { setLeadStatus } from '../program/qualify.ts';
import { participantJson, rewardJson } from '../program/serialize.ts';
import { statsFor } from '../program/stats.ts';
import type { Participant } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';
import type { ReferralStats } from '../../shared/view-model.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

export function participantRoutes(ctx: AppContext) {
  const app = apiRouter();

  async function withStats(q: Queryable, accountId: string, p: Participant) {
    const campaign = await loadCampaign(q, accountId, p.campaignId);
    const stats = (await statsFor(q, [p.id])).get(p.id)!;
    return { ...participantJson(ctx, p, campaign), stats: statsJson(stats) };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/referrers',
      tags: ['Participants'],
      summary: 'Enrol a referrer (idempotent per campaign and email)',
      description: 'Answers 201 with the new referrer, or 200 with the person already in the campaign under that email.',
      request: body(ReferrerCreateSchema),
      responses: { 200: json(ParticipantSchema, 'Already enrolled'), 201: json(ParticipantSchema, 'Enrolled'), ...problemResponses(400, 401, 404, 409) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const accountId = c.get('accountId');
      const out = await ctx.db.transaction(async (tx) => {
        const r = await enrolReferrer(ctx, tx, {
          accountId,
          campaignId: b.campaign_id,
          email: b.email,
          firstName: b.first_name,
          lastName: b.last_name,
          customFields: b.custom_fields,
          source: 'api',
          actor: c.get('actor'),
        });
        return { created: r.created, json: await withStats(tx, accountId, r.participant) };
      });
      return out.created ? c.json(out.json, 201) : c.json(out.json, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/leads',
      tags: ['Participants'],
      summary: 'Create a referred lead',
      description: 'Refuses self-referral, referral loops, people referred by someone else and paused campaigns with a reason. Repeating the same referral answers 200 with the existing lead.',
      request: body(LeadCreateSchema),
      responses: { 200: json(ParticipantSchema, 'Already referred by this referrer'), 201: json(ParticipantSchema, 'Created'), ...problemResponses(400, 401, 404, 409, 422) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const accountId = c.get('accountId');
      const out = await ctx.db.transaction(async (tx) => {
        await loadCampaign(tx, accountId, b.campaign_id);
        const r = await createLead(ctx, tx, {
          accountId,
          campaignId: b.campaign_id,
          referralCode: b.referral_code,
          email: b.email,
          firstName: b.first_name,
          lastName: b.last_name,
          customFields: b.custom_fields,
          source: 'api',
          actor: c.get('actor'),
        });
        return { created: r.created, json: await withStats(tx, accountId, r.participant) };
      });
      return out.created ? c.json(out.json, 201) : c.json(out.json, 200);
    },
  );

  for (const action of ['qualify', 'unqualify'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/leads/${action}`,
        tags: ['Participants'],
        summary: action === 'qualify' ? 'Qualify a lead (idempotent)' : 'Unqualify a lead (idempotent; voids unpaid rewards)',
        request: body(QualifySchema),
        responses: { 200: json(QualifyResultSchema, 'Done, or already so'), ...problemResponses(400, 401, 404, 409, 410) },
      }),
      async (c) => {
        const b = c.req.valid('json');
        const accountId = c.get('accountId');
        const out = await ctx.db.transaction(async (tx) => {
          const lead = await findParticipant(tx, accountId, (b.id ?? b.email ?? b.referral_code)!, b.campaign_id);
          const r = await setLeadStatus(ctx, tx, { accountId, participantId: lead.id, action, actor: c.get('actor'), reason: b.reason });
          return {
            lead: await withStats(tx, accountId, r.participant),
            changed: r.changed,
            why_unchanged: r.why ?? null,
            rewards_issued: r.issued.map(rewardJson),
            rewards_voided: r.voided,
          };
        });
        return c.json(out, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/participants',
      tags: ['Participants'],
      summary: 'List participants (newest first, cursor-paginated)',
      request: { query: ParticipantListQuery },
      responses: { 200: json(z.object({ data: z.array(ParticipantSchema), next_cursor: z.string().nullable() }), 'A page'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const accountId = c.get('accountId');
      const campaign = await loadCampaign(ctx.db, accountId, q.campaign_id);
      const page = await listParticipants(ctx.db, accountId, { campaignId: campaign.id, status: q.status, search: q.search, limit: q.limit, cursor: q.cursor });
      const stats = await statsFor(ctx.db, page.rows.map((r) => r.id));
      return c.json({ data: page.rows.map((p) => ({ ...participantJson(ctx, p, campaign), stats: statsJson(stats.get(p.id)!) })), next_cursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/participants/{key}',
      tags: ['Participants'],
      summary: 'One participant by id, email (with campaign_id) or referral code, with stats',
      request: { params: z.object({ key: z.string().min(1).max(254) }), query: z.object({ campaign_id: Uuid.optional() }) },
      responses: { 200: json(ParticipantSchema, 'Participant'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const accountId = c.get('accountId');
      const p = await findParticipant(ctx.db, accountId, c.req.valid('param').key, c.req.valid('query').campaign_id);
      return c.json(await withStats(ctx.db, accountId, p), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/participants/{id}',
      tags: ['Participants'],
      summary: 'Update names and custom fields (the email is the identity and never changes)',
      request: { params: z.object({ id: Uuid }), ...body(ParticipantPatchSchema) },
      responses: { 200: json(ParticipantSchema, 'Updated'), ...problemResponses(400, 404, 410) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const accountId = c.get('accountId');
      const out = await ctx.db.transaction(async (tx) => {
        const p = await updateParticipant(ctx, tx, accountId, c.req.valid('param').id, { firstName: b.first_name, lastName: b.last_name, customFields: b.custom_fields }, c.get('actor'));
        return withStats(tx, accountId, p);
      });
      return c.json(out, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/participants/{id}',
      tags: ['Participants'],
      summary: "Erase the person's personal data (right to erasure)",
      request: { params: z.object({ id: Uuid }) },
      responses: { 200: json(ParticipantSchema, 'Erased (anonymised record)'), ...problemResponses(404) },
    }),
    async (c) => {
      const accountId = c.get('accountId');
      const out = await ctx.db.transaction(async (tx) => withStats(tx, accountId, await eraseParticipant(ctx, tx, accountId, c.req.valid('param').id, c.get('actor'))));
      return c.json(out, 200);
    },
  );

  return app;
}

const statsJson = (s: ReferralStats) => ({
  referrals: s.referrals,
  qualified: s.qualified,
  pending: s.pending,
  unqualified: s.unqualified,
  rewards_earned: s.rewardsEarned,
  rewards_label: s.rewardsLabel,
});
