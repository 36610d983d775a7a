/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { auditEvents, crmLinks, connections, participants, rewards, type Participant } from '../../db/schema.ts';
import { findParticipant, listParticipants, type ListQuery } from '../../program/directory.ts';
import { setLeadStatus } from '../../program/qualify.ts';
import { statsFor } from '../../program/stats.ts';
import { ProgramError } from '../../program/errors.ts';
import { referralLink } from '../../../shared/codes.ts';
import { adminActor, field, fields, type AdminEnv } from '../guard.ts';
import { Badge, CampaignTabs, Csrf, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { TextField } from '../ui.tsx';
import { AuditTable } from './audit.tsx';
import { accountOf, campaignsOf, isUuid, money, ownCampaign, personName, providerLabel } from './common.ts';

// Participants of a campaign: search, filter by status, page with cursors, qualify or unqualify
// many at once with a reason; and one person's page with their link, numbers, leads, rewards and
// the audit trail of everything that happened to them.

const PAGE_SIZE = 50;
const MAX_BULK = 200;
const STATUSES = [
  ['', 'Everyone'],
  ['referrer', 'Referrers (not referred)'],
  ['pending', 'Pending leads'],
  ['qualified', 'Qualified leads'],
  ['unqualified', 'Unqualified leads'],
] as const;

export function StatusBadge({ status }: { status: Participant['leadStatus'] }) {
  if (!status) return <Badge tone="neutral">Referrer</Badge>;
  return <Badge tone={status === 'qualified' ? 'ok' : status === 'pending' ? 'wait' : 'bad'}>{status[0]!.toUpperCase() + status.slice(1)}</Badge>;
}

export function participantRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/participants', async (c) => {
    const [first] = await campaignsOf(ctx, c);
    if (first) return c.redirect(`/admin/campaigns/${first.id}/participants`, 303);
    return renderPage(c, { title: 'Participants', nav: 'participants', children: <p><a href="/admin/campaigns/new">Create a campaign</a> to have participants.</p> });
  });

  app.get('/admin/campaigns/:id/participants', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const statusQ = c.req.query('status') ?? '';
    const status = (['referrer', 'pending', 'qualified', 'unqualified'] as const).find((s) => s === statusQ);
    const cursor = c.req.query('cursor') || undefined;
    const query: ListQuery = { campaignId: campaign.id, status, search: q || undefined, limit: PAGE_SIZE, cursor };
    const page = await listParticipants(ctx.db, accountOf(c), query);
    const referrerIds = [...new Set(page.rows.map((p) => p.referredById).filter((x): x is string => !!x))];
    const referrers = referrerIds.length ? await ctx.db.select().from(participants).where(and(inArray(participants.id, referrerIds), eq(participants.accountId, accountOf(c)))) : [];
    const byId = new Map(referrers.map((r) => [r.id, r]));
    const all = await campaignsOf(ctx, c);
    const keep = (extra: Record<string, string>) => new URLSearchParams({ ...(q && { q }), ...(status && { status }), ...extra }).toString();
    return renderPage(c, {
      title: `Participants · ${campaign.name}`,
      heading: `Participants: ${campaign.name}`,
      nav: 'participants',
      children: (
        <>
          <CampaignTabs id={campaign.id} current="participants" />
          {all.length > 1 ? (
            <p>
              Other campaigns:{' '}
              {all
                .filter((k) => k.id !== campaign.id)
                .map((k) => (
                  <>
                    <a href={`/admin/campaigns/${k.id}/participants`}>{k.name}</a>{' '}
                  </>
                ))}
            </p>
          ) : null}
          <form method="get" action={`/admin/campaigns/${campaign.id}/participants`} role="search" class="actions">
            <div>
              <label for="q">Search name, email or code</label>
              <input type="search" id="q" name="q" value={q} maxlength={200} />
            </div>
            <div>
              <label for="status">Status</label>
              <select id="status" name="status">
                {STATUSES.map(([v, t]) => (
                  <option value={v} selected={v === (status ?? '')}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Search</button>
          </form>
          <form method="post" action={`/admin/campaigns/${campaign.id}/participants/bulk`}>
            <Csrf token={c.get('session').csrfToken} />
            <div class="table-wrap">
              <table>
                <caption>
                  {page.rows.length} shown{cursor ? ' (a later page)' : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <input type="checkbox" id="select-all" data-select-all="ids" hidden aria-label="Select every row on this page" />
                      <span class="sr-only">Select</span>
                    </th>
                    <th scope="col">Person</th>
                    <th scope="col">Status</th>
                    <th scope="col">Referred by</th>
                    <th scope="col">Code</th>
                    <th scope="col">Joined</th>
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((p) => {
                    const label = personName(p) ?? p.email ?? '(erased)';
                    const ref = p.referredById ? byId.get(p.referredById) : null;
                    return (
                      <tr>
                        <td>
                          <input type="checkbox" name="ids" value={p.id} id={`pick-${p.id}`} aria-label={`Select ${label}`} />
                        </td>
                        <th scope="row">
                          <a href={`/admin/campaigns/${campaign.id}/participants/${p.id}`}>{label}</a>
                          {personName(p) && p.email ? <div class="hint">{p.email}</div> : null}
                        </th>
                        <td>
                          <StatusBadge status={p.leadStatus} />
                          {p.statusReason ? <div class="hint">Reason: {p.statusReason}</div> : null}
                        </td>
                        <td>{ref ? (personName(ref) ?? ref.email ?? '(erased)') : '—'}</td>
                        <td class="mono">{p.code}</td>
                        <td>{when(p.createdAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {page.rows.length === 0 ? <p>Nobody matches.</p> : null}
            <fieldset>
              <legend>With the selected leads</legend>
              <TextField id="reason" label="Reason (kept in the audit log)" maxlength={500} />
              <div class="actions">
                <button type="submit" name="action" value="qualify">
                  Qualify selected
                </button>
                <button type="submit" name="action" value="unqualify" class="secondary">
                  Unqualify selected
                </button>
              </div>
            </fieldset>
          </form>
          <nav aria-label="Pages" class="actions">
            {cursor ? <a href={`/admin/campaigns/${campaign.id}/participants?${keep({})}`}>First page</a> : null}
            {page.nextCursor ? <a href={`/admin/campaigns/${campaign.id}/participants?${keep({ cursor: page.nextCursor })}`}>Next page</a> : null}
          </nav>
        </>
      ),
    });
  });

  app.post('/admin/campaigns/:id/participants/bulk', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const form = c.get('form');
    const action = field(form, 'action') === 'unqualify' ? 'unqualify' : 'qualify';
    const ids = [...new Set(fields(form, 'ids').filter(isUuid))].slice(0, MAX_BULK);
    const back = `/admin/campaigns/${campaign.id}/participants`;
    if (!ids.length) return done(c, back, 'Select at least one lead first.', 'warning');
    const reason = field(form, 'reason').slice(0, 500) || null;
    const actor = adminActor(c.get('session'));
    // One transaction per lead: one that cannot change (not a lead, erased) does not hold back the rest.
    const tally = { changed: 0, already: 0, refused: [] as string[], rewards: 0 };
    for (const id of ids) {
      try {
        const r = await ctx.db.transaction(async (tx) => {
          const p = await findParticipant(tx, accountOf(c), id, campaign.id);
          return setLeadStatus(ctx, tx, { accountId: accountOf(c), participantId: p.id, action, actor, reason });
        });
        if (r.changed) tally.changed++;
        else tally.already++;
        tally.rewards += r.issued.length;
      } catch (err) {
        if (!(err instanceof ProgramError)) throw err;
        tally.refused.push(err.status === 404 ? 'not in this campaign' : err.message);
      }
    }
    const verb = action === 'qualify' ? 'qualified' : 'unqualified';
    const parts = [`${tally.changed} lead${tally.changed === 1 ? '' : 's'} ${verb}`];
    if (tally.rewards) parts.push(`${tally.rewards} reward${tally.rewards === 1 ? '' : 's'} issued`);
    if (tally.already) parts.push(`${tally.already} already ${verb}`);
    if (tally.refused.length) parts.push(`${tally.refused.length} skipped (${[...new Set(tally.refused)].join('; ')})`);
    return done(c, back, `${parts.join(', ')}.`, tally.refused.length && !tally.changed ? 'warning' : 'success');
  });

  app.get('/admin/campaigns/:id/participants/:pid', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const pid = c.req.param('pid');
    if (!isUuid(pid)) throw new ProgramError(404, 'not_found', 'The participant was not found.');
    const p = await findParticipant(ctx.db, accountOf(c), pid, campaign.id);
    const [stats, leads, referrer, rewardRows, links, trail] = await Promise.all([
      statsFor(ctx.db, [p.id]).then((m) => m.get(p.id)!),
      ctx.db.select().from(participants).where(eq(participants.referredById, p.id)).orderBy(desc(participants.createdAt)).limit(100),
      p.referredById ? ctx.db.select().from(participants).where(eq(participants.id, p.referredById)).then((r) => r[0] ?? null) : null,
      ctx.db.select().from(rewards).where(eq(rewards.recipientId, p.id)).orderBy(asc(rewards.issuedAt)),
      ctx.db.select({ provider: connections.provider, portal: connections.externalId, record: crmLinks.externalId }).from(crmLinks).innerJoin(connections, eq(connections.id, crmLinks.connectionId)).where(eq(crmLinks.participantId, p.id)),
      ctx.db.select().from(auditEvents).where(and(eq(auditEvents.participantId, p.id), eq(auditEvents.accountId, accountOf(c)))).orderBy(desc(auditEvents.id)).limit(200),
    ]);
    const name = personName(p) ?? p.email ?? '(erased person)';
    const link = referralLink(ctx.config.publicUrl, p.code, campaign.landingUrl);
    const base = `/admin/campaigns/${campaign.id}/participants/${p.id}`;
    return renderPage(c, {
      title: name,
      nav: 'participants',
      children: (
        <>
          <CampaignTabs id={campaign.id} current="participants" />
          <section class="card" aria-label="Person">
            <p>
              <StatusBadge status={p.leadStatus} /> {p.email ?? 'email erased'} · in {campaign.name} · joined {when(p.createdAt)} via {p.source}
            </p>
            {p.erasedAt ? <p>This person asked to be forgotten on {when(p.erasedAt)}; their personal data is gone.</p> : null}
            <p>
              Referral link: <code id="ref-link">{link}</code>{' '}
              <button type="button" class="secondary" data-copy="ref-link">
                Copy
              </button>
            </p>
            {referrer ? (
              <p>
                Referred by <a href={`/admin/campaigns/${campaign.id}/participants/${referrer.id}`}>{personName(referrer) ?? referrer.email ?? '(erased)'}</a>
                {p.statusReason ? ` · reason: ${p.statusReason}` : ''}
              </p>
            ) : null}
            {links.length ? <p>In the CRMs: {links.map((l) => `${providerLabel(l.provider)} ${l.portal} record ${l.record}`).join('; ')}</p> : null}
            <p>
              {stats.referrals} referrals · {stats.qualified} qualified · {stats.pending} pending · rewards: {stats.rewardsLabel}
            </p>
          </section>
          {p.leadStatus && !p.erasedAt ? (
            <form method="post" action={`${base}/status`} class="card">
              <Csrf token={c.get('session').csrfToken} />
              <h2>Decide this lead</h2>
              <TextField id="reason" label="Reason (kept in the audit log)" maxlength={500} />
              <div class="actions">
                {p.leadStatus !== 'qualified' ? (
                  <button type="submit" name="action" value="qualify">
                    Qualify
                  </button>
                ) : null}
                {p.leadStatus !== 'unqualified' ? (
                  <button type="submit" name="action" value="unqualify" class="secondary">
                    Unqualify
                  </button>
                ) : null}
              </div>
            </form>
          ) : null}
          <h2>People {name} referred</h2>
          {leads.length === 0 ? (
            <p>Nobody yet.</p>
          ) : (
            <ul>
              {leads.map((l) => (
                <li>
                  <a href={`/admin/campaigns/${campaign.id}/participants/${l.id}`}>{personName(l) ?? l.email ?? '(erased)'}</a> <StatusBadge status={l.leadStatus} />
                </li>
              ))}
            </ul>
          )}
          <h2>Rewards</h2>
          {rewardRows.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul>
              {rewardRows.map((r) => (
                <li>
                  {r.description}: {money(r.amountCents, r.currency)} — {r.status} (issued {when(r.issuedAt)})
                </li>
              ))}
            </ul>
          )}
          <h2>Audit trail</h2>
          <AuditTable events={trail} people={new Map([[p.id, p]])} campaigns={new Map([[campaign.id, campaign.name]])} />
        </>
      ),
    });
  });

  app.post('/admin/campaigns/:id/participants/:pid/status', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const pid = c.req.param('pid');
    if (!isUuid(pid)) throw new ProgramError(404, 'not_found', 'The participant was not found.');
    const form = c.get('form');
    const action = field(form, 'action') === 'unqualify' ? 'unqualify' : 'qualify';
    const r = await ctx.db.transaction(async (tx) => {
      const p = await findParticipant(tx, accountOf(c), pid, campaign.id);
      return setLeadStatus(ctx, tx, { accountId: accountOf(c), participantId: p.id, action, actor: adminActor(c.get('session')), reason: field(form, 'reason').slice(0, 500) || null });
    });
    const verb = action === 'qualify' ? 'qualified' : 'unqualified';
    return done(c, `/admin/campaigns/${campaign.id}/participants/${pid}`, r.changed ? `Lead ${verb}.${r.issued.length ? ` ${r.issued.length} reward(s) issued.` : ''}${r.voided.length ? ` ${r.voided.length} unpaid reward(s) voided.` : ''}` : `This lead was already ${verb}.`, r.changed ? 'success' : 'info');
  });
}
