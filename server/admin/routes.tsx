/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.ts';
import { ProgramError } from '../program/errors.ts';
import { assetRoutes } from './assets.ts';
import { bodyLimit } from 'hono/body-limit';
import { MAX_FORM_BYTES, requireSession, verifyCsrf, type AdminEnv } from './guard.ts';
import { signInRoutes } from './signin.tsx';
import { CSP, Document } from './layout.tsx';
import { overviewRoutes } from './pages/overview.tsx';
import { integrationRoutes } from './pages/integrations.tsx';
import { campaignRoutes } from './pages/campaigns.tsx';
import { mappingRoutes } from './pages/mapping.tsx';
import { ruleRoutes } from './pages/rules.tsx';
import { syncRoutes } from './pages/syncs.tsx';
import { participantRoutes } from './pages/participants.tsx';
import { auditRoutes } from './pages/audit.tsx';
import { apiKeyRoutes } from './pages/api-keys.tsx';
import { webhookRoutes } from './pages/webhooks.tsx';

/**
 * The admin console: `/` (sign in), `/signout`, and everything under `/admin`, server-rendered.
 * Every /admin request passes requireSession (else back to `/`) and verifyCsrf (for POSTs), and
 * every query in the pages is scoped by the session's account.
 */
export function adminRoutes(ctx: AppContext): Hono {
  const app = new Hono<AdminEnv>();
  app.onError((err, c) => errorPage(ctx, err, c));
  // Assets first: they need no session (the sign-in page uses the stylesheet too).
  app.route('/', assetRoutes());
  signInRoutes(app as unknown as Hono, ctx);

  const limit = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('This form is too large.', 413) });
  app.use('/admin', requireSession(ctx), limit, verifyCsrf(ctx));
  app.use('/admin/*', requireSession(ctx), limit, verifyCsrf(ctx));
  for (const register of [overviewRoutes, integrationRoutes, campaignRoutes, mappingRoutes, ruleRoutes, syncRoutes, participantRoutes, auditRoutes, apiKeyRoutes, webhookRoutes]) {
    register(app, ctx);
  }
  app.all('/admin/*', (c) => errorPage(ctx, new ProgramError(404, 'not_found', 'There is no such page in the console.'), c));
  return app as unknown as Hono;
}

/** Console errors are pages, not problem+json: a refused id (another account's, or none) is a plain 404. */
function errorPage(ctx: AppContext, err: Error, c: Context) {
  const known = err instanceof ProgramError;
  if (!known) ctx.log.error({ err, path: c.req.path }, 'admin console error');
  const status = known ? err.status : 500;
  const title = status === 404 ? 'Not found' : status === 500 ? 'Something went wrong' : 'That did not work';
  const message = known ? err.message : 'The server could not finish this request. It has been logged; try again in a moment.';
  c.header('content-security-policy', CSP);
  return c.html(
    <Document title={title}>
      <main class="narrow" id="content">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/admin">Back to the console</a>
        </p>
      </main>
    </Document>,
    status as 400,
  );
}
