import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../context.ts';
import { apiRouter } from './env.ts';
import { requireApiKey } from './auth.ts';
import { idempotency } from './idempotency.ts';
import { apiRateLimit } from './rate-limit.ts';
import { ProblemSchema } from './schemas.ts';
import { campaignRoutes } from './campaign-routes.ts';
import { participantRoutes } from './participant-routes.ts';
import { webhookEndpointRoutes } from './webhook-endpoint-routes.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { renderApiDocs } from './docs-page.ts';
import { isStorableText, storableText, UNSTORABLE_TEXT_REASON, unstorableTextAt } from '../http/json-body.ts';

export const API_BODY_LIMIT = 256 * 1024;

/** REST API v1, mounted at /api/v1. The OpenAPI document is generated from the same zod schemas that validate. */
export function apiApp(ctx: AppContext) {
  const app = apiRouter();
  app.openAPIRegistry.register('Problem', ProblemSchema);
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An API key from the Refcard console' });

  app.get('/openapi.json', (c) => c.json(openApiDocument(ctx, app)));
  app.use(
    '*',
    bodyLimit({
      maxSize: API_BODY_LIMIT,
      onError: (c) => problemResponse(c, problem(413, 'body_too_large', `The request body is larger than ${API_BODY_LIMIT / 1024} KB.`, { field: 'body' })),
    }),
  );
  app.use('*', async (c, next) => {
    if (['POST', 'PATCH', 'PUT'].includes(c.req.method) && !/^application\/(.+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
      return problemResponse(c, problem(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".', { field: 'content-type' }));
    }
    await next();
  });
  app.use('*', requireApiKey(ctx));
  app.use('*', apiRateLimit());
  // Text PostgreSQL cannot store (NUL, unpaired surrogates) anywhere in the query or the JSON body.
  app.use('*', async (c, next) => {
    let at = Object.entries(c.req.queries()).find(([name, values]) => !isStorableText(name) || values.some((v) => !isStorableText(v)))?.[0] ?? null;
    if (at === null && !isStorableText(c.req.path)) at = 'path';
    if (at === null && ['POST', 'PATCH', 'PUT'].includes(c.req.method)) {
      try {
        at = unstorableTextAt(JSON.parse(await c.req.text()));
      } catch {
        /* not JSON: the route's validator answers that */
      }
    }
    if (at !== null) {
      const field = storableText(at);
      return problemResponse(c, problem(400, 'validation_failed', `${field}: ${UNSTORABLE_TEXT_REASON}`, { field, errors: [{ field, reason: UNSTORABLE_TEXT_REASON }] }));
    }
    await next();
  });
  app.use('*', idempotency(ctx));
  app.route('/', campaignRoutes(ctx));
  app.route('/', participantRoutes(ctx));
  app.route('/', webhookEndpointRoutes(ctx));
  app.notFound((c) => problemResponse(c, problem(404, 'no_such_route', `There is no ${c.req.method} ${c.req.path} in API v1.`)));
  return app;
}

export function openApiDocument(ctx: AppContext, app: ReturnType<typeof apiRouter>) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Refcard API',
      version: '1.0.0',
      description:
        'Referral programs inside the CRM. Authenticate with `Authorization: Bearer <API key>`. Every POST accepts an `Idempotency-Key` header. Errors are RFC 9457 problem+json naming the field and the reason.',
    },
    servers: [{ url: `${ctx.config.publicUrl}/api/v1` }],
    security: [{ apiKey: [] }],
  });
  return doc;
}

export { renderApiDocs };
