import { Hono, type MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import { registerObjectRoutes } from './crm-objects.ts';
import { registerAssociationRoutes } from './associations.ts';
import { HsError, rateLimitBody } from './errors.ts';
import { faultBody, type Faults } from './faults.ts';
import { authenticate } from './grants.ts';
import type { HsContext, HsEnv } from './http.ts';
import { registerListRoutes } from './lists.ts';
import { registerOauthRoutes } from './oauth.ts';
import { registerPipelineAndOwnerRoutes } from './pipelines.ts';
import { registerPropertyRoutes } from './properties.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RequestLog } from './request-log.ts';
import { isCrmSearch, registerSearchRoutes } from './search.ts';

// The emulated HubSpot as one Hono app. Order of concerns per API call, as HubSpot appears to apply
// them: log → authenticate → rate limit → injected faults → scopes and the handler itself.

/** Marker header on the stand-in response of a dropped connection; in-process fetch turns it into a TypeError. */
export const DROPPED_HEADER = 'x-emulator-dropped';

class DropConnection extends Error {}

export interface ServerParts {
  log: RequestLog;
  limiter: RateLimiter;
  faults: Faults;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function faultMiddleware(faults: Faults): MiddlewareHandler<HsEnv> {
  return async (c, next) => {
    const auth = c.get('auth') as HsEnv['Variables']['auth'] | undefined;
    const d = faults.decide(c.req.path, auth?.portalId, auth?.appId);
    if (d.latencyMs > 0) await sleep(d.latencyMs);
    if (d.kind === 'drop') throw new DropConnection();
    if (d.kind === 'status') return c.json(faultBody(d.status), d.status as 423);
    await next();
  };
}

function apiMiddleware(ctx: EmulatorContext, parts: ServerParts): MiddlewareHandler<HsEnv> {
  return async (c, next) => {
    const at = authenticate(ctx, c.req.header('authorization'));
    c.set('auth', { token: at.token, appId: at.appId, portalId: at.portalId, userId: at.userId, scopes: at.scopes });
    if (isCrmSearch(c.req.path)) {
      // Search has its own per-portal budget and sends no rate-limit headers.
      const d = parts.limiter.takeSearch(at.portalId, c.get('arrivedAt'));
      if (!d.ok) return c.json(rateLimitBody('SECONDLY', at.appId), 429);
      return next();
    }
    // (the arrival time the request log records: a window counted from the log is the limiter's window)
    const d = parts.limiter.takeGeneral(at.appId, at.portalId, c.get('arrivedAt'));
    const headers = parts.limiter.config.enabled ? parts.limiter.headers(d) : {};
    if (!d.ok) return c.json(rateLimitBody('TEN_SECONDLY_ROLLING', at.appId), 429, headers);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

export function buildApp(ctx: EmulatorContext, parts: ServerParts, registerAdmin: (app: Hono<HsEnv>) => void): Hono<HsEnv> {
  // Not strict: the SDK calls some collections with a trailing slash ('/crm/v3/lists/', '/crm/v3/owners/').
  const app = new Hono<HsEnv>({ strict: false });

  app.onError((err, c) => {
    if (err instanceof DropConnection) {
      c.env?.incoming?.socket.destroy();
      return new Response(null, { status: 599, headers: { [DROPPED_HEADER]: '1' } });
    }
    if (err instanceof HsError) return c.json(err.body(), err.httpStatus as 400);
    return c.json({ status: 'error', message: `internal error: ${(err as Error).message}`, correlationId: randomUUID(), category: 'INTERNAL_ERROR' }, 500);
  });

  app.notFound((c) =>
    c.json({ status: 'error', message: `Unable to route ${c.req.method} ${c.req.path}`, correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' }, 404));

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/__emulator')) return next();
    const started = performance.now();
    const at = ctx.now();
    c.set('arrivedAt', at);
    await next();
    const auth = c.get('auth') as HsEnv['Variables']['auth'] | undefined;
    parts.log.add({
      method: c.req.method, path: c.req.path, query: new URL(c.req.url).search, at,
      portalId: auth?.portalId ?? c.get('logPortalId'), appId: auth?.appId ?? c.get('logAppId'),
      status: c.res.headers.get(DROPPED_HEADER) ? 0 : c.res.status,
      durationMs: Math.round(performance.now() - started),
    });
  });

  registerAdmin(app);

  app.use('/oauth/*', faultMiddleware(parts.faults));
  registerOauthRoutes(app, ctx);

  app.use('/crm/*', apiMiddleware(ctx, parts));
  app.use('/crm/*', faultMiddleware(parts.faults));
  for (const prefix of ['/crm/v3/objects', '/crm/objects/2026-03']) {
    registerSearchRoutes(app, ctx, prefix);
    registerObjectRoutes(app, ctx, prefix);
  }
  registerPropertyRoutes(app, ctx);
  registerListRoutes(app, ctx);
  registerAssociationRoutes(app, ctx);
  registerPipelineAndOwnerRoutes(app, ctx);
  return app;
}

export type { HsContext };
