import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { secureHeaders } from 'hono/secure-headers';
import type { AppContext } from './context.ts';
import { handleError, problem, problemResponse } from './http/problem.ts';
import { httpMetrics, renderMetrics } from './http/metrics.ts';
import { allowedMethods } from './http/method-not-allowed.ts';
import { apiApp, openApiDocument, renderApiDocs } from './api/index.ts';
import { landingRoutes } from './landing/routes.ts';
import { PROVIDERS } from './providers.ts';
import { adminRoutes } from './admin/routes.tsx';
import { sandboxRoutes } from './sandbox/pages/routes.tsx';

/** The whole HTTP surface. Stateless: everything lives in PostgreSQL, so any number can run. */
export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.onError(handleError(ctx.log));
  const allowed = allowedMethods(app);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0) return problemResponse(c, problem(404, 'not_found', `Nothing at ${c.req.method} ${c.req.path}.`));
    return problemResponse(c, problem(405, 'method_not_allowed', `${c.req.path} does not take ${c.req.method}; it takes ${methods.join(', ')}.`, { allow: methods }), { allow: methods.join(', ') });
  });
  app.use('*', httpMetrics);
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false, xFrameOptions: 'DENY', referrerPolicy: 'strict-origin-when-cross-origin' }));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await ctx.db.execute(sql`select 1`);
      return c.json({ status: 'ready' });
    } catch {
      return problemResponse(c, problem(503, 'database_unavailable', 'The database is not reachable.'));
    }
  });
  app.get('/metrics', async (c) => c.text(await renderMetrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  const api = apiApp(ctx);
  app.route('/api/v1', api);
  app.get('/api/docs', (c) => c.html(renderApiDocs(openApiDocument(ctx, api) as never)));
  app.route('/', landingRoutes(ctx));
  for (const p of Object.values(PROVIDERS)) app.route('/', p.routes(ctx));
  app.route('/', adminRoutes(ctx));
  if (ctx.config.sandbox) app.route('/', sandboxRoutes(ctx));
  return app;
}
