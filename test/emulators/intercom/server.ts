// The HTTP face of the emulator: one Hono app serving OAuth, the REST API and the /__emulator
// hooks, wrapped by a dispatcher that injects faults before anything else runs. The same
// dispatcher backs the in-process `fetch` and the real listener on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { adminRoutes } from './admins.ts';
import { contactRoutes } from './contacts-routes.ts';
import { conversationRoutes } from './conversations.ts';
import { dataAttributeRoutes } from './data-attributes.ts';
import { ApiError, errorBody, rateLimited, unauthorized } from './errors.ts';
import type { Faults } from './faults.ts';
import type { ApiEnv } from './http.ts';
import { oauthRoutes } from './oauth.ts';
import { rateLimitHeaders, type RateLimiter } from './rate-limit.ts';
import type { RequestLog } from './request-log.ts';
import { searchRoutes } from './search.ts';
import { segmentRoutes } from './segments.ts';
import { windowLimit, type Emulation } from './settings.ts';
import type { Store } from './state.ts';
import { tagRoutes } from './tags.ts';

export const DEFAULT_VERSION = '2.14';
/** 1.0–1.4, 2.0–2.99, Unstable/Preview: what Intercom accepts in `Intercom-Version`. */
const VERSION = /^(1\.[0-4]|2\.\d{1,2}|Unstable|Preview)$/i;

/** Sentinel: answer by dropping the connection. */
export class DropConnection extends Error {}

export interface ServerParts {
  store: Store;
  settings: Emulation;
  limiter: RateLimiter;
  faults: Faults;
  log: RequestLog;
  hooks: Hono;
}

const isApiPath = (p: string) => !p.startsWith('/__emulator') && p !== '/oauth' && !p.startsWith('/oauth/');

const FAULT_CODES: Record<number, [string, string]> = {
  408: ['request_timeout', 'Request Timeout'],
  429: ['rate_limit_exceeded', 'Exceeded rate limit'],
  500: ['server_error', 'Server Error'],
  502: ['bad_gateway', 'Bad Gateway'],
  503: ['service_unavailable', 'Service Unavailable'],
  504: ['gateway_timeout', 'Gateway Timeout'],
};

export function createDispatcher(parts: ServerParts) {
  const { store, settings, limiter, faults, log } = parts;
  const app = new Hono<ApiEnv>();
  const hangs = new Set<() => void>();
  /** When the rate limiter counted a request: the log's `at`, so log windows match limiter windows. */
  const checkedAt = new WeakMap<Request, number>();
  /** One id per call: in the error envelope's request_id and in the request log. */
  const requestIds = new WeakMap<Request, string>();
  const requestIdOf = (req: Request) => requestIds.get(req) ?? randomUUID();

  app.route('/__emulator', parts.hooks);
  app.route('/', oauthRoutes(store) as unknown as Hono<ApiEnv>);

  // Authentication, rate limits, version: everything after this sees a valid installation.
  app.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const install = token ? store.installs.get(token) : undefined;
    const ws = install && !install.revoked ? store.workspaces.get(install.id_code) : undefined;
    if (!install || install.revoked || !ws) throw unauthorized();
    const decision = limiter.check(install.token, ws.id_code);
    checkedAt.set(c.req.raw, store.now());
    c.set('api', { store, settings, ws, install, requestId: requestIdOf(c.req.raw), version: c.req.header('intercom-version') ?? DEFAULT_VERSION });
    if (!decision.ok) {
      const res = c.json(rateLimited(decision.limit, decision.windowSeconds).toBody(requestIdOf(c.req.raw)), 429);
      for (const [k, v] of Object.entries(rateLimitHeaders(decision))) res.headers.set(k, v);
      return res;
    }
    const version = c.req.header('intercom-version');
    if (version !== undefined && !VERSION.test(version.trim())) {
      throw new ApiError(400, 'intercom_version_invalid', `Requested Intercom Version '${version}' is not valid`);
    }
    await next();
    for (const [k, v] of Object.entries(rateLimitHeaders(decision))) c.res.headers.set(k, v);
  });

  app.route('/', adminRoutes());
  app.route('/', searchRoutes());
  app.route('/', contactRoutes());
  app.route('/', tagRoutes());
  app.route('/', segmentRoutes());
  app.route('/', dataAttributeRoutes());
  app.route('/', conversationRoutes());

  app.notFound((c) => c.json(errorBody('not_found', 'Resource Not Found', requestIdOf(c.req.raw)), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(requestIdOf(c.req.raw)), err.status as 400);
    console.error('[intercom-emulator] unhandled error', err);
    return c.json(errorBody('server_error', 'Server Error', requestIdOf(c.req.raw)), 500);
  });

  const workspaceOf = (req: Request) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim();
    const i = token ? store.installs.get(token) : undefined;
    return { workspace: i?.id_code ?? null, clientId: i?.client_id ?? null };
  };

  const hang = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
    const done = () => { clearTimeout(t); hangs.delete(done); resolve(); };
    const t = setTimeout(done, ms);
    t.unref?.();
    signal.addEventListener('abort', done, { once: true });
    hangs.add(done);
  });

  function faultResponse(status: number, requestId: string): Response {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const [code, message] = FAULT_CODES[status] ?? FAULT_CODES[500];
    let body = errorBody(code, message, requestId);
    if (status === 429) {
      // A forced 429 looks like a real one, headers included, so the SDK's back-off kicks in.
      const { windowMs, perAppPerMinute } = settings.rateLimits;
      const limit = windowLimit(perAppPerMinute);
      const reset = Math.ceil(((Math.floor(store.now() / windowMs) + 1) * windowMs) / 1000);
      body = rateLimited(limit, Math.max(1, Math.round(windowMs / 1000))).toBody(requestId);
      Object.assign(headers, rateLimitHeaders({ ok: false, limit, remaining: 0, reset, windowSeconds: 10 }));
    }
    return new Response(JSON.stringify(body), { status, headers });
  }

  async function dispatch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    const started = Date.now();
    const startedAt = store.now();
    const requestId = randomUUID();
    requestIds.set(req, requestId);
    const record = (status: number, fault?: string) => {
      if (!isApiPath(path)) return;
      log.add({
        requestId, method: req.method, path, query: url.search, ...workspaceOf(req), status,
        version: req.headers.get('intercom-version') ?? DEFAULT_VERSION, at: checkedAt.get(req) ?? startedAt, durationMs: Date.now() - started, fault,
      });
    };
    if (isApiPath(path)) {
      const d = faults.decide(req.method, path);
      if (d.delayMs > 0) await hang(d.delayMs, req.signal);
      if (d.fault === 'drop') { record(0, 'drop'); throw new DropConnection('dropped by fault injection'); }
      if (d.fault === 'timeout') {
        await hang(d.hangMs, req.signal);
        record(504, 'timeout');
        return faultResponse(504, requestId);
      }
      if (typeof d.fault === 'number') { record(d.fault, String(d.fault)); return faultResponse(d.fault, requestId); }
    }
    const res = await app.fetch(req);
    record(res.status);
    return res;
  }

  return { app, dispatch, releaseHangs: () => { for (const h of [...hangs]) h(); } };
}

/** In-process fetch with real-fetch semantics: aborts reject, dropped connections are TypeErrors. */
export function inProcessFetch(dispatch: (req: Request) => Promise<Response>) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    if (req.signal.aborted) throw req.signal.reason;
    const aborted = new Promise<never>((_, reject) => {
      req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    try {
      return await Promise.race([dispatch(req), aborted]);
    } catch (e) {
      if (e instanceof DropConnection) throw new TypeError('fetch failed', { cause: new Error('other side closed') });
      throw e;
    }
  };
}

export function listenOn(dispatch: (req: Request) => Promise<Response>, port: number): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({
      hostname: '127.0.0.1',
      port,
      fetch: async (req, env) => {
        try {
          return await dispatch(req);
        } catch (e) {
          if (e instanceof DropConnection && 'incoming' in env) {
            env.incoming.socket.destroy();
            return new Response(null, { status: 500 });
          }
          throw e;
        }
      },
    }, (info: AddressInfo) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
    server.once('error', reject);
  });
}
