/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { syncRuns, type Campaign, type Connection, type SyncRun } from '../../db/schema.ts';
import { listSyncs, setSyncMode, startSync, type SyncSource } from '../../program/syncs.ts';
import { notFound, ProgramError } from '../../program/errors.ts';
import { adminActor, field, type AdminEnv } from '../guard.ts';
import { Badge, Csrf, renderPage, when } from '../layout.tsx';
import { done } from '../flash.ts';
import { attempt, catalogError, listsOf, segmentsOf, type Choice } from '../catalogs.ts';
import { Table } from '../ui.tsx';
import { ConnectionUnavailable } from '../../platform/connections.ts';
import { campaignsOf, connectionLabel, connectionsOf, isUuid, ownCampaign, ownConnection, accountOf, type AdminContext } from './common.ts';

// `/admin/syncs`: bring CRM contacts in as referrers (all, a HubSpot list or an Intercom segment;
// once or ongoing) and watch each run: a progress bar polled from a small JSON endpoint, its
// counts, and the contacts that failed with why.

const LIVE = new Set<SyncRun['state']>(['queued', 'running', 'waiting']);
const STATE_LABEL: Record<SyncRun['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting for new contacts',
  completed: 'Completed',
  failed: 'Failed',
  paused: 'Paused',
};

export function progressOf(run: SyncRun) {
  const total = run.total;
  const pct = total ? Math.min(100, Math.floor((run.done / Math.max(total, 1)) * 100)) : run.state === 'completed' ? 100 : 0;
  return {
    id: run.id,
    state: run.state,
    stateLabel: STATE_LABEL[run.state],
    live: LIVE.has(run.state),
    done: run.done,
    total,
    failed: run.failed,
    percent: pct,
    summary: `${run.done} of ${total ?? '?'} done (${pct}%), ${run.failed} failed`,
    errors: run.errors.slice(0, 100),
  };
}

const sourceText = (s: SyncSource) => (s.kind === 'all' ? 'All contacts' : `${s.kind === 'list' ? 'List' : 'Segment'} “${s.name ?? s.id}”`);

export function syncRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/syncs', async (c) => {
    const filter = c.req.query('campaign');
    const campaign = isUuid(filter) ? await ownCampaign(ctx, c, filter) : null;
    return syncsPage(ctx, c, campaign, c.req.query('refresh') !== undefined);
  });

  app.get('/admin/syncs/:id/progress.json', async (c) => {
    const run = await ownRun(ctx, c, c.req.param('id'));
    return c.json(progressOf(run));
  });

  app.post('/admin/syncs', async (c) => {
    const form = c.get('form');
    const campaign = await ownCampaign(ctx, c, field(form, 'campaign'));
    const conn = await ownConnection(ctx, c, field(form, 'connection'));
    const kind = field(form, 'source');
    const mode = field(form, 'mode') === 'ongoing' ? 'ongoing' : 'once';
    let source: SyncSource;
    if (kind === 'all') source = { kind: 'all' };
    else if (kind === 'list' || kind === 'segment') {
      const id = field(form, kind);
      let choices: Choice[];
      try {
        choices = await (kind === 'list' ? listsOf(ctx, conn) : segmentsOf(ctx, conn));
      } catch (err) {
        // A disconnected or unreachable CRM is said on the page, not a 500.
        throw new ProgramError(err instanceof ConnectionUnavailable ? 409 : 503, 'catalog_unavailable', `${catalogError(err, `the ${kind}s`)}. Check the connection on the Integrations page.`);
      }
      const chosen = choices.find((x) => x.id === id);
      if (!chosen) throw new ProgramError(400, 'bad_source', `Choose a ${kind} from the list.`);
      source = { kind, id: chosen.id, name: chosen.name };
    } else throw new ProgramError(400, 'bad_source', 'Choose what to sync.');
    const { run, created } = await startSync(ctx, { accountId: accountOf(c), campaignId: campaign.id, connectionId: conn.id, source, mode, actor: adminActor(c.get('session')) });
    return done(
      c,
      `/admin/syncs?campaign=${campaign.id}#sync-${run.id}`,
      created ? `Sync started: ${sourceText(source)} into “${campaign.name}”.` : `This sync is already running: ${sourceText(source)} into “${campaign.name}”.`,
      created ? 'success' : 'info',
    );
  });

  app.post('/admin/syncs/:id/mode', async (c) => {
    const run = await ownRun(ctx, c, c.req.param('id'));
    const mode = field(c.get('form'), 'mode') === 'ongoing' ? 'ongoing' : 'once';
    await setSyncMode(ctx.db, accountOf(c), run.id, mode);
    return done(c, `/admin/syncs?campaign=${run.campaignId}#sync-${run.id}`, mode === 'ongoing' ? 'Ongoing: new contacts will keep being added.' : 'Ongoing sync turned off: the current pass finishes and it stops there.');
  });
}

async function ownRun(ctx: AppContext, c: AdminContext, id: string | undefined): Promise<SyncRun> {
  if (!isUuid(id)) throw notFound('The sync');
  const [run] = await ctx.db.select().from(syncRuns).where(and(eq(syncRuns.id, id), eq(syncRuns.accountId, accountOf(c))));
  if (!run) throw notFound('The sync');
  return run;
}

async function syncsPage(ctx: AppContext, c: AdminContext, campaign: Campaign | null, refresh: boolean) {
  const [campaigns, conns, runs] = await Promise.all([campaignsOf(ctx, c), connectionsOf(ctx, c), listSyncs(ctx.db, accountOf(c), campaign?.id)]);
  const usable = conns.filter((k) => k.status === 'connected');
  const sources = await Promise.all(
    usable.map((k) => attempt(k.provider === 'hubspot' ? 'the lists' : 'the segments', () => (k.provider === 'hubspot' ? listsOf(ctx, k, refresh) : segmentsOf(ctx, k, refresh)))),
  );
  const csrf = c.get('session').csrfToken;
  const names = new Map(campaigns.map((k) => [k.id, k.name]));
  const connNames = new Map(conns.map((k) => [k.id, connectionLabel(k)]));
  return renderPage(c, {
    title: campaign ? `Syncs · ${campaign.name}` : 'Syncs',
    heading: campaign ? `Syncs: ${campaign.name}` : 'Syncs',
    nav: 'syncs',
    children: (
      <>
        <p>Synced contacts become referrers with their own link; Refcard writes the link and their counts back. Leaving a list or segment does not remove anyone.</p>
        {campaigns.length === 0 ? (
          <p>
            <a href="/admin/campaigns/new">Create a campaign</a> first.
          </p>
        ) : usable.length === 0 ? (
          <p>
            <a href="/admin/integrations">Connect HubSpot or Intercom</a> first.
          </p>
        ) : (
          <>
            <h2>Start a sync</h2>
            <div class="grid">
              {usable.map((k, i) => (
                <StartForm conn={k} campaigns={campaigns} selected={campaign?.id} csrf={csrf} choices={sources[i]!.value ?? []} error={sources[i]!.error} />
              ))}
            </div>
            <p>
              <a href={`/admin/syncs?${campaign ? `campaign=${campaign.id}&` : ''}refresh=1`}>Refresh lists and segments</a>
            </p>
          </>
        )}
        <h2>Runs</h2>
        {runs.length === 0 ? (
          <p>No syncs yet.</p>
        ) : (
          <Table head={['Source', 'Progress', 'Mode', 'Started']}>
            {runs.map((run) => (
              <RunRow run={run} campaign={names.get(run.campaignId) ?? '?'} conn={connNames.get(run.connectionId) ?? '?'} csrf={csrf} />
            ))}
          </Table>
        )}
      </>
    ),
  });
}

function StartForm(p: { conn: Connection; campaigns: Campaign[]; selected?: string; csrf: string; choices: Choice[]; error: string | null }) {
  const id = p.conn.id.slice(0, 8);
  const hub = p.conn.provider === 'hubspot';
  const kind = hub ? 'list' : 'segment';
  return (
    <form method="post" action="/admin/syncs" class="card">
      <Csrf token={p.csrf} />
      <input type="hidden" name="connection" value={p.conn.id} />
      <h3>From {connectionLabel(p.conn)}</h3>
      <label for={`campaign-${id}`}>Into campaign</label>
      <select id={`campaign-${id}`} name="campaign">
        {p.campaigns.map((k) => (
          <option value={k.id} selected={k.id === p.selected}>
            {k.name}
          </option>
        ))}
      </select>
      <fieldset>
        <legend>Which contacts</legend>
        <div>
          <input type="radio" id={`all-${id}`} name="source" value="all" checked={p.choices.length === 0} /> <label class="inline" for={`all-${id}`}>All contacts</label>
        </div>
        <div>
          <input type="radio" id={`pick-${id}`} name="source" value={kind} checked={p.choices.length > 0} disabled={p.choices.length === 0} />{' '}
          <label class="inline" for={`pick-${id}`}>
            A {kind}:
          </label>{' '}
          <label class="sr-only" for={`${kind}-${id}`}>
            {hub ? 'List' : 'Segment'}
          </label>
          <select id={`${kind}-${id}`} name={kind}>
            {p.choices.map((x) => (
              <option value={x.id}>
                {x.name}
                {x.size !== null ? ` (${x.size})` : ''}
              </option>
            ))}
          </select>
        </div>
        {p.error ? <p class="hint error-text">{p.error}</p> : null}
      </fieldset>
      <fieldset>
        <legend>How often</legend>
        <div>
          <input type="radio" id={`once-${id}`} name="mode" value="once" checked /> <label class="inline" for={`once-${id}`}>Once: the current members</label>
        </div>
        <div>
          <input type="radio" id={`ongoing-${id}`} name="mode" value="ongoing" /> <label class="inline" for={`ongoing-${id}`}>Ongoing: keep adding new members</label>
        </div>
      </fieldset>
      <button type="submit">Start sync</button>
    </form>
  );
}

function RunRow({ run, campaign, conn, csrf }: { run: SyncRun; campaign: string; conn: string; csrf: string }) {
  const p = progressOf(run);
  const tone = run.state === 'completed' ? 'ok' : run.state === 'failed' ? 'bad' : p.live ? 'wait' : 'neutral';
  return (
    <tr id={`sync-${run.id}`} data-sync={`/admin/syncs/${run.id}/progress.json`} data-live={String(p.live)} data-state={run.state}>
      <th scope="row">
        {sourceText(run.source)}
        <div class="hint">
          {conn} → {campaign}
        </div>
      </th>
      <td>
        <Badge tone={tone}>
          <span data-sync-state>{p.stateLabel}</span>
        </Badge>
        <progress max={Math.max(run.total ?? 0, 1)} value={run.total ? Math.min(run.done, run.total) : p.percent === 100 ? 1 : 0} aria-label={`Progress of ${sourceText(run.source)}`}>
          {p.percent}%
        </progress>
        <div data-sync-text aria-live="polite">
          {p.summary}
        </div>
        {run.errors.length ? (
          <details>
            <summary>
              {run.failed} contact{run.failed === 1 ? '' : 's'} failed — why
            </summary>
            <ul>
              {run.errors.slice(0, 100).map((e) => (
                <li>
                  <span class="mono">{e.externalId}</span>: {e.message}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </td>
      <td>
        {run.mode === 'ongoing' ? 'Ongoing' : 'Once'}
        {LIVE.has(run.state) || run.mode === 'ongoing' ? (
          <form method="post" action={`/admin/syncs/${run.id}/mode`}>
            <Csrf token={csrf} />
            <input type="hidden" name="mode" value={run.mode === 'ongoing' ? 'once' : 'ongoing'} />
            <button type="submit" class="secondary">
              {run.mode === 'ongoing' ? 'Turn ongoing off' : 'Make ongoing'}
            </button>
          </form>
        ) : null}
      </td>
      <td>
        {when(run.startedAt ?? run.createdAt)}
        {run.finishedAt ? <div class="hint">finished {when(run.finishedAt)}</div> : null}
      </td>
    </tr>
  );
}
