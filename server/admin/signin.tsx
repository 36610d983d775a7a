/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../context.ts';
import { endSession, readSession } from './sessions.ts';
import { checkSignOut } from './guard.ts';
import { CSP, Document } from './layout.tsx';

// `/`: the sign-in page (or straight to the console when already signed in) and sign-out. Signing
// in is the providers' OAuth round trip; it ends in finishInstall, which starts a fresh session.

export function signInRoutes(app: Hono, ctx: AppContext): void {
  app.get('/', async (c) => {
    if (await readSession(ctx, c)) return c.redirect('/admin', 303);
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    const providers = [
      { key: 'hubspot', label: 'Sign in with HubSpot', on: Boolean(ctx.config.hubspot) },
      { key: 'intercom', label: 'Sign in with Intercom', on: Boolean(ctx.config.intercom) },
    ].filter((p) => p.on);
    const signedOut = c.req.query('signed_out') !== undefined;
    return c.html(
      <Document title="Sign in">
        <main class="narrow signin" id="content">
          <h1>Sign in to Refcard</h1>
          {signedOut ? (
            <div class="flash info" role="status">
              You are signed out.
            </div>
          ) : null}
          <p>Use the HubSpot or Intercom account where Refcard is installed. Signing in for the first time installs Refcard there.</p>
          {providers.length ? (
            providers.map((p) => (
              <a class="button" href={`/oauth/${p.key}/install?purpose=signin`}>
                {p.label}
              </a>
            ))
          ) : (
            <p class="flash warning" role="status">
              No HubSpot or Intercom app is configured on this server. Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET, or INTERCOM_CLIENT_ID and INTERCOM_CLIENT_SECRET.
            </p>
          )}
          {ctx.config.sandbox ? (
            <p class="hint">
              Sandbox mode: HubSpot and Intercom are emulated on this machine, with a demo portal and workspace. Sign in with either, or{' '}
              <a href="/sandbox">open the sandbox contact page</a>.
            </p>
          ) : null}
          <p class="hint">
            Developers: the REST API is documented at <a href="/api/docs">/api/docs</a>.
          </p>
        </main>
      </Document>,
    );
  });

  app.post('/signout', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Too large.', 413) }), async (c) => {
    const session = await readSession(ctx, c);
    if (!(await checkSignOut(ctx, c, session))) return c.text('This sign-out did not come from the console.', 403);
    await endSession(ctx, c);
    return c.redirect('/?signed_out', 303);
  });
}
