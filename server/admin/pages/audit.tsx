/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { auditEvents, participants, type AuditEvent, type Participant } from '../../db/schema.ts';
import { SOURCES, type Source } from '../../../shared/qualification.ts';
import type { AdminEnv } from '../guard.ts';
import { renderPage, when } from '../layout.tsx';
import { Table } from '../ui.tsx';
import { accountOf, campaignsOf, isUuid, personName } from './common.ts';

// `/admin/audit`: who qualified whom, from where (card, inbox, deal stage, tag, API, console),
// when, the status before and after, the reason and the CRM event that caused it.

const PAGE_SIZE = 100;
const ACTIONS = [
  ['', 'Everything'],
  ['lead.qualified', 'Leads qualified'],
  ['lead.unqualified', 'Leads unqualified'],
  ['lead.created', 'Leads created'],
  ['referrer.created', 'Referrers enrolled'],
  ['campaign.updated', 'Campaign changes'],
  ['sync.started', 'Syncs started'],
] as const;

const ACTION_TEXT: Record<string, string> = {
  'lead.qualified': 'qualified',
  'lead.unqualified': 'unqualified',
  'lead.created': 'referred',
  'referrer.created': 'enrolled as a referrer',
  'participant.updated': 'updated',
  'participant.erased': 'erased (right to erasure)',
  'campaign.created': 'created the campaign',
  'campaign.updated': 'changed the campaign',
  'sync.started': 'started a sync',
  'connection.disconnected': 'disconnected an integration',
};

const sourceLabel = (s: string) => SOURCES[s as Source] ?? s;
const actorText = (e: AuditEvent) => `${e.actorLabel ?? e.actorId ?? e.actorType}${e.actorType === 'user' ? ' (admin)' : e.actorType === 'crm' ? ' (CRM)' : e.actorType === 'api_key' ? ' (API key)' : ''}`;

/** Before/after as short text; values come from the database and are escaped on output. */
function change(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && v !== null && 'status' in v && Object.keys(v).length <= 3) return String((v as { status: unknown }).status);
  const s = JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

export function AuditTable({ events, people, campaigns }: { events: AuditEvent[]; people: Map<string, Participant>; campaigns: Map<string, string> }) {
  if (events.length === 0) return <p>Nothing recorded yet.</p>;
  return (
    <Table head={['When', 'Who', 'Did what', 'To whom', 'From where', 'Before → after', 'Reason / CRM event']}>
      {events.map((e) => {
        const p = e.participantId ? people.get(e.participantId) : undefined;
        const whom = p ? (personName(p) ?? p.email ?? '(erased)') : e.participantId ? '(someone since erased)' : '—';
        return (
          <tr>
            <td>{when(e.createdAt)}</td>
            <td>{actorText(e)}</td>
            <th scope="row">{ACTION_TEXT[e.action] ?? e.action}</th>
            <td>
              {p && e.campaignId ? <a href={`/admin/campaigns/${e.campaignId}/participants/${p.id}`}>{whom}</a> : whom}
              {e.campaignId && campaigns.get(e.campaignId) ? <div class="hint">{campaigns.get(e.campaignId)}</div> : null}
            </td>
            <td>{sourceLabel(e.source)}</td>
            <td>
              {e.before !== null || e.after !== null ? (
                <pre>
                  {change(e.before) || '—'} → {change(e.after) || '—'}
                </pre>
              ) : (
                '—'
              )}
            </td>
            <td>
              {e.reason ?? ''}
              {e.externalEventId ? <div class="hint mono">event {e.externalEventId}</div> : null}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

export function auditRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/audit', async (c) => {
    const camps = await campaignsOf(ctx, c);
    const campaignId = c.req.query('campaign');
    const action = ACTIONS.find(([a]) => a && a === c.req.query('action'))?.[0];
    const before = Number(c.req.query('before'));
    const conds: (SQL | undefined)[] = [eq(auditEvents.accountId, accountOf(c))];
    if (isUuid(campaignId) && camps.some((k) => k.id === campaignId)) conds.push(eq(auditEvents.campaignId, campaignId));
    if (action) conds.push(eq(auditEvents.action, action));
    if (Number.isSafeInteger(before) && before > 0) conds.push(lt(auditEvents.id, before));
    const events = await ctx.db.select().from(auditEvents).where(and(...conds)).orderBy(desc(auditEvents.id)).limit(PAGE_SIZE);
    const ids = [...new Set(events.map((e) => e.participantId).filter((x): x is string => !!x))];
    const people = ids.length ? await ctx.db.select().from(participants).where(and(inArray(participants.id, ids), eq(participants.accountId, accountOf(c)))) : [];
    const last = events[events.length - 1];
    const keep = new URLSearchParams({ ...(isUuid(campaignId) && { campaign: campaignId }), ...(action && { action }) });
    return renderPage(c, {
      title: 'Audit log',
      nav: 'audit',
      children: (
        <>
          <form method="get" action="/admin/audit" class="actions">
            <div>
              <label for="campaign">Campaign</label>
              <select id="campaign" name="campaign">
                <option value="">All campaigns</option>
                {camps.map((k) => (
                  <option value={k.id} selected={k.id === campaignId}>
                    {k.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="action">Showing</label>
              <select id="action" name="action">
                {ACTIONS.map(([v, t]) => (
                  <option value={v} selected={v === (action ?? '')}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Filter</button>
          </form>
          <AuditTable events={events} people={new Map(people.map((p) => [p.id, p]))} campaigns={new Map(camps.map((k) => [k.id, k.name]))} />
          <nav aria-label="Pages" class="actions">
            {before ? <a href={`/admin/audit?${keep}`}>Newest</a> : null}
            {events.length === PAGE_SIZE && last ? <a href={`/admin/audit?${new URLSearchParams([...keep, ['before', String(last.id)]])}`}>Older</a> : null}
          </nav>
        </>
      ),
    });
  });
}
