import { createRoute, z } from '@hono/zod-openapi';
import type { AppContext } from '../context.ts';
import { apiRouter, problemResponses } from './env.ts';
import { CampaignCreateSchema, CampaignPatchSchema, CampaignSchema, CampaignStatsSchema, Uuid } from './schemas.ts';
import { createCampaign, listCampaigns, updateCampaign } from '../program/campaigns.ts';
import { loadCampaign } from '../program/participants.ts';
import { campaignStats } from '../program/stats.ts';
import { campaignJson } from '../program/serialize.ts';
import type { CampaignInput } from '../program/campaigns.ts';

const IdParam = z.object({ id: Uuid });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export function campaignRoutes(ctx: AppContext) {
  const app = apiRouter();

  app.openapi(
    createRoute({ method: 'get', path: '/campaigns', tags: ['Campaigns'], summary: 'List campaigns', responses: { 200: json(z.object({ data: z.array(CampaignSchema) }), 'Campaigns') } }),
    async (c) => c.json({ data: (await listCampaigns(ctx.db, c.get('accountId'))).map((x) => campaignJson(ctx, x)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags: ['Campaigns'],
      summary: 'Create a campaign',
      request: { body: { content: { 'application/json': { schema: CampaignCreateSchema } }, required: true } },
      responses: { 201: json(CampaignSchema, 'Created'), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const created = await ctx.db.transaction((tx) => createCampaign(tx, c.get('accountId'), toInput(body) as CampaignInput, c.get('actor')));
      return c.json(campaignJson(ctx, created), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/campaigns/{id}', tags: ['Campaigns'], summary: 'One campaign', request: { params: IdParam }, responses: { 200: json(CampaignSchema, 'Campaign'), ...problemResponses(404) } }),
    async (c) => c.json(campaignJson(ctx, await loadCampaign(ctx.db, c.get('accountId'), c.req.valid('param').id, 'id')), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/campaigns/{id}',
      tags: ['Campaigns'],
      summary: 'Update a campaign',
      request: { params: IdParam, body: { content: { 'application/json': { schema: CampaignPatchSchema } }, required: true } },
      responses: { 200: json(CampaignSchema, 'Updated'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const updated = await ctx.db.transaction((tx) => updateCampaign(tx, c.get('accountId'), id, toInput(c.req.valid('json')), c.get('actor')));
      return c.json(campaignJson(ctx, updated), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/campaigns/{id}/stats', tags: ['Campaigns'], summary: 'Campaign totals', request: { params: IdParam }, responses: { 200: json(CampaignStatsSchema, 'Totals'), ...problemResponses(404) } }),
    async (c) => {
      const campaign = await loadCampaign(ctx.db, c.get('accountId'), c.req.valid('param').id, 'id');
      return c.json(await campaignStats(ctx.db, campaign.id), 200);
    },
  );

  return app;
}

function toInput(b: z.infer<typeof CampaignPatchSchema>): Partial<CampaignInput> {
  return {
    ...(b.name !== undefined && { name: b.name }),
    ...(b.status !== undefined && { status: b.status }),
    ...(b.landing_url !== undefined && { landingUrl: b.landing_url }),
    ...(b.reward_rules !== undefined && { rewardRules: b.reward_rules }),
    ...(b.qualification_rules !== undefined && { qualificationRules: b.qualification_rules }),
    ...(b.settings !== undefined && { settings: b.settings }),
    ...(b.field_mapping !== undefined && { fieldMapping: b.field_mapping }),
  };
}
