/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.ts';
import type { AdminEnv } from '../guard.ts';
import { Badge, renderPage } from '../layout.tsx';
import { campaignStats } from '../../program/stats.ts';
import { campaignsOf, connectionLabel, connectionsOf } from './common.ts';

// `/admin`: where the account stands at a glance, and what to do next.

export function overviewRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin', async (c) => {
    const [conns, camps] = await Promise.all([connectionsOf(ctx, c), campaignsOf(ctx, c)]);
    const stats = await Promise.all(camps.map((k) => campaignStats(ctx.db, k.id)));
    const steps = [
      { done: conns.some((k) => k.provider === 'hubspot' && k.status === 'connected'), text: 'Connect HubSpot', href: '/admin/integrations' },
      { done: conns.some((k) => k.provider === 'intercom' && k.status === 'connected'), text: 'Connect Intercom', href: '/admin/integrations' },
      { done: camps.length > 0, text: 'Create a campaign', href: '/admin/campaigns/new' },
      { done: camps.some((k) => k.qualificationRules.length > 0), text: 'Choose when a referral qualifies', href: camps[0] ? `/admin/campaigns/${camps[0].id}/rules` : '/admin/campaigns/new' },
      { done: stats.some((s) => s.referrers > 0), text: 'Sync your contacts in as referrers', href: '/admin/syncs' },
    ];
    return renderPage(c, {
      title: 'Overview',
      nav: 'overview',
      children: (
        <>
          <section class="card" aria-labelledby="start">
            <h2 id="start">Getting started</h2>
            <ol>
              {steps.map((s) => (
                <li>
                  <a href={s.href}>{s.text}</a> {s.done ? <Badge tone="ok">done</Badge> : <Badge tone="neutral">to do</Badge>}
                </li>
              ))}
            </ol>
          </section>
          <section aria-labelledby="conns">
            <h2 id="conns">Integrations</h2>
            {conns.length === 0 ? (
              <p>
                Nothing connected yet. <a href="/admin/integrations">Connect HubSpot or Intercom</a>.
              </p>
            ) : (
              <ul>
                {conns.map((k) => (
                  <li>
                    {connectionLabel(k)}: {k.status === 'connected' ? <Badge tone="ok">connected</Badge> : <Badge tone="bad">disconnected</Badge>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="camps">
            <h2 id="camps">Campaigns</h2>
            {camps.length === 0 ? (
              <p>
                No campaigns yet. <a href="/admin/campaigns/new">Create the first one</a>.
              </p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Campaign</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">Referrers</th>
                      <th scope="col" class="num">Leads</th>
                      <th scope="col" class="num">Qualified</th>
                      <th scope="col" class="num">Rewards issued</th>
                    </tr>
                  </thead>
                  <tbody>
                    {camps.map((k, i) => (
                      <tr>
                        <th scope="row">
                          <a href={`/admin/campaigns/${k.id}`}>{k.name}</a>
                        </th>
                        <td>{k.status}</td>
                        <td class="num">{stats[i]!.referrers}</td>
                        <td class="num">{stats[i]!.leads}</td>
                        <td class="num">{stats[i]!.qualified}</td>
                        <td class="num">{stats[i]!.rewards.issued}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ),
    });
  });
}
