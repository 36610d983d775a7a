/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { Context } from 'hono';
import type { AdminEnv } from './guard.ts';
import { CSRF_FIELD } from './guard.ts';
import { takeFlash, type Flash } from './flash.ts';

// The frame every console page shares: a skip link, the navigation landmark, the signed-in admin
// with a sign-out button, the flash message and a polite live region for script announcements.

export const NAV = [
  { href: '/admin', label: 'Overview', key: 'overview' },
  { href: '/admin/integrations', label: 'Integrations', key: 'integrations' },
  { href: '/admin/campaigns', label: 'Campaigns', key: 'campaigns' },
  { href: '/admin/syncs', label: 'Syncs', key: 'syncs' },
  { href: '/admin/participants', label: 'Participants', key: 'participants' },
  { href: '/admin/audit', label: 'Audit log', key: 'audit' },
  { href: '/admin/api-keys', label: 'API keys', key: 'api-keys' },
  { href: '/admin/webhooks', label: 'Webhooks', key: 'webhooks' },
] as const;
export type NavKey = (typeof NAV)[number]['key'];

/** Security headers for every console and sandbox page: no inline script or style can run. */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function Document(props: { title: string; children: Child; script?: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Refcard`}</title>
        <link rel="stylesheet" href="/admin/assets/console.css" />
        {props.script ? <script src="/admin/assets/console.js" defer></script> : null}
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  return (
    <div class={`flash ${flash.type}`} role={flash.type === 'danger' ? 'alert' : 'status'}>
      {flash.message}
    </div>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** Renders a console page with the shared frame; the flash from the previous form is consumed here. */
export function renderPage(c: Context<AdminEnv>, opts: { title: string; nav: NavKey; children: Child; status?: 200 | 400 | 404 | 409 | 422; heading?: string }) {
  const session = c.get('session');
  const flash = takeFlash(c);
  c.header('content-security-policy', CSP);
  const who = session.user.name ?? session.user.email ?? `${session.user.provider} user ${session.user.id}`;
  return c.html(
    <Document title={opts.title} script>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <div class="shell">
        <header class="side">
          <p class="brand">Refcard</p>
          <nav aria-label="Console">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={n.href} aria-current={n.key === opts.nav ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <p>
              Signed in as <strong>{who}</strong>
              <br />
              Account: {c.get('accountName')}
            </p>
            <form method="post" action="/signout">
              <Csrf token={session.csrfToken} />
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          </div>
        </header>
        <main id="content" tabindex={-1}>
          <h1>{opts.heading ?? opts.title}</h1>
          <FlashMessage flash={flash} />
          <div id="live" class="sr-only" aria-live="polite"></div>
          {opts.children}
        </main>
      </div>
    </Document>,
    opts.status ?? 200,
  );
}

/** Tabs of one campaign's pages. */
export function CampaignTabs({ id, current }: { id: string; current: 'settings' | 'mapping' | 'rules' | 'participants' | 'syncs' }) {
  const tabs = [
    ['settings', `/admin/campaigns/${id}`, 'Settings'],
    ['mapping', `/admin/campaigns/${id}/mapping`, 'Field mapping'],
    ['rules', `/admin/campaigns/${id}/rules`, 'Qualification rules'],
    ['participants', `/admin/campaigns/${id}/participants`, 'Participants'],
    ['syncs', `/admin/syncs?campaign=${id}`, 'Syncs'],
  ] as const;
  return (
    <nav aria-label="Campaign">
      <ul class="tabs">
        {tabs.map(([key, href, label]) => (
          <li>
            <a href={href} aria-current={key === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export const when = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—');

export function Badge({ tone, children }: { tone: 'ok' | 'bad' | 'wait' | 'neutral'; children: Child }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}
