import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { apiRouter, problemResponses } from './env.ts';
import { Uuid, WebhookEndpointCreateSchema, WebhookEndpointSchema } from './schemas.ts';
import { webhookEndpoints, type WebhookEndpoint } from '../db/schema.ts';
import { encrypt, randomToken } from '../platform/crypto.ts';
import { notFound, ProgramError } from '../program/errors.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export function webhookEndpointRoutes(ctx: AppContext) {
  const app = apiRouter();

  app.openapi(
    createRoute({ method: 'get', path: '/webhook-endpoints', tags: ['Webhooks'], summary: 'List outbound webhook endpoints', responses: { 200: json(z.object({ data: z.array(WebhookEndpointSchema) }), 'Endpoints') } }),
    async (c) => {
      const rows = await ctx.db
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.accountId, c.get('accountId')), isNull(webhookEndpoints.disabledAt)))
        .orderBy(desc(webhookEndpoints.createdAt));
      return c.json({ data: rows.map(endpointJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints',
      tags: ['Webhooks'],
      summary: 'Subscribe an endpoint; the answer holds its signing secret, shown once',
      request: { body: { content: { 'application/json': { schema: WebhookEndpointCreateSchema } }, required: true } },
      responses: { 201: json(WebhookEndpointSchema, 'Created'), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      if (ctx.config.production && !b.url.startsWith('https://')) throw new ProgramError(400, 'https_required', 'Webhook endpoints must use https.', 'url');
      const { endpoint, secret } = await createWebhookEndpoint(ctx, c.get('accountId'), b);
      return c.json({ ...endpointJson(endpoint), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/webhook-endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'Unsubscribe an endpoint (pending deliveries to it stop)',
      request: { params: z.object({ id: Uuid }) },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(404) },
    }),
    async (c) => {
      const rows = await ctx.db
        .update(webhookEndpoints)
        .set({ disabledAt: new Date() })
        .where(and(eq(webhookEndpoints.id, c.req.valid('param').id), eq(webhookEndpoints.accountId, c.get('accountId')), isNull(webhookEndpoints.disabledAt)))
        .returning({ id: webhookEndpoints.id });
      if (rows.length === 0) throw notFound('The webhook endpoint', 'id');
      return c.body(null, 204);
    },
  );

  return app;
}

export async function createWebhookEndpoint(ctx: AppContext, accountId: string, b: { url: string; description?: string; events?: string[] }) {
  const secret = `whsec_${randomToken(24)}`;
  const [row] = await ctx.db
    .insert(webhookEndpoints)
    .values({ accountId, url: b.url, description: b.description ?? null, events: b.events ?? [], secretEnc: encrypt(ctx.config.encryptionKey, secret) })
    .returning();
  return { endpoint: row!, secret };
}

const endpointJson = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, description: e.description, events: e.events, created_at: e.createdAt.toISOString() });
