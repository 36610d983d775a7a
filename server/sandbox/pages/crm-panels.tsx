/** @jsxImportSource hono/jsx */
import type { Sandbox } from '../start.ts';

// The emulated CRMs around the app: a HubSpot contact record (its properties, which Refcard keeps
// up to date, and its deals with a stage picker) and an Intercom inbox contact (attributes, tags,
// the conversation). Every control here is an action a person would take in that CRM's own UI.

export interface HubspotContactRow {
  id: number;
  label: string;
  email: string | null;
}

export function hubspotContacts(s: Sandbox): HubspotContactRow[] {
  return s.hubspot
    .portal(s.portalId)
    .contacts.sort((a, b) => a.id - b.id)
    .map((c) => {
      const p = c.properties;
      const name = [p.firstname, p.lastname].filter(Boolean).join(' ');
      return { id: c.id, label: name ? `${name} <${p.email ?? 'no email'}>` : (p.email ?? `contact ${c.id}`), email: p.email ?? null };
    });
}

export function intercomContacts(s: Sandbox) {
  const ws = s.intercom.store.workspace(s.workspaceId);
  return [...ws.contacts.values()]
    .filter((c) => !c.archived && !ws.merged_ids.has(c.id))
    .sort((a, b) => a.seq - b.seq)
    .map((c) => ({ id: c.id, label: c.name ? `${c.name} <${c.email ?? 'no email'}>` : (c.email ?? `contact ${c.id}`), email: c.email, role: c.role, hasConversation: [...ws.conversations.values()].some((v) => v.contact_ids.includes(c.id)) }));
}

const PROPS_FIRST = ['firstname', 'lastname', 'email', 'lifecyclestage'];
const HIDDEN = new Set(['createdate', 'lastmodifieddate']);

export function HubspotRecord({ s, contactId }: { s: Sandbox; contactId: number }) {
  const portal = s.hubspot.portal(s.portalId);
  const contact = portal.contact(contactId);
  if (!contact) return <p>This contact no longer exists in the portal.</p>;
  // Everything a person filled in or Refcard wrote; HubSpot's own bookkeeping (hs_*, dates) stays out.
  const props = Object.entries(contact.properties).filter(([k, v]) => v !== null && v !== '' && !k.startsWith('hs_') && !HIDDEN.has(k));
  props.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  const pipelines = portal.pipelines;
  const stageLabel = (pipelineId: string | null, stageId: string | null) => {
    const p = pipelines.find((x) => x.id === pipelineId);
    return `${p?.stages.find((x) => x.id === stageId)?.label ?? stageId ?? '?'} (${p?.label ?? pipelineId ?? '?'})`;
  };
  const deals = portal.dealsOfContact(contactId).map((id) => portal.deal(id)).filter((d) => d && !d.archived);
  return (
    <>
      <h3>Properties</h3>
      <table class="props" data-testid="hubspot-properties">
        <tbody>
          {props.map(([k, v]) => (
            <tr data-property={k}>
              <th scope="row">{portal.property('contacts', k)?.label ?? k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Deals</h3>
      {deals.length === 0 ? <p>No deals with this contact.</p> : null}
      {deals.map((d) => (
        <form method="post" action={`/sandbox/hubspot/deals/${d!.id}/stage`} class="deal" data-deal={d!.id}>
          <input type="hidden" name="hs" value={String(contactId)} />
          <p>
            <strong>{d!.properties.dealname ?? `Deal ${d!.id}`}</strong>
            {d!.properties.amount ? ` · $${d!.properties.amount}` : ''}
            <br />
            Stage: <span data-stage>{stageLabel(d!.properties.pipeline, d!.properties.dealstage)}</span>
          </p>
          <label for={`stage-${d!.id}`}>Move to</label>
          <StageSelect id={`stage-${d!.id}`} pipelines={pipelines} current={`${d!.properties.pipeline}::${d!.properties.dealstage}`} />
          <button type="submit">Move deal</button>
        </form>
      ))}
      <form method="post" action="/sandbox/hubspot/deals" class="deal">
        <input type="hidden" name="hs" value={String(contactId)} />
        <h4>New deal with this contact</h4>
        <label for="deal-name">Deal name</label>
        <input type="text" id="deal-name" name="dealname" maxlength={100} value={`${contact.properties.firstname ?? 'New'} — first order`} />
        <label for="deal-stage">Stage</label>
        <StageSelect id="deal-stage" pipelines={pipelines} current="" />
        <button type="submit" class="secondary">
          Create deal
        </button>
      </form>
    </>
  );
}

function StageSelect({ id, pipelines, current }: { id: string; pipelines: { id: string; label: string; stages: { id: string; label: string }[] }[]; current: string }) {
  return (
    <select id={id} name="stage">
      {pipelines.map((p) => (
        <optgroup label={p.label}>
          {p.stages.map((st) => (
            <option value={`${p.id}::${st.id}`} selected={`${p.id}::${st.id}` === current}>
              {st.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

const rank = (k: string) => {
  const i = PROPS_FIRST.indexOf(k);
  return i >= 0 ? i : k.startsWith('refcard_') ? 20 : 10;
};

export function IntercomContactPanel({ s, contactId }: { s: Sandbox; contactId: string }) {
  const ws = s.intercom.store.workspace(s.workspaceId);
  const c = ws.contacts.get(contactId);
  if (!c) return <p>This contact no longer exists in the workspace.</p>;
  const tags = s.intercom.tags(s.workspaceId);
  const mine = c.tags.map((t) => tags.find((x) => x.id === t.id)?.name ?? t.id);
  const attrs = Object.entries(c.custom_attributes).filter(([, v]) => v !== null && v !== '');
  const conv = [...ws.conversations.values()].filter((v) => v.contact_ids.includes(c.id)).pop();
  return (
    <>
      <p>
        <strong>{c.name ?? c.email ?? c.id}</strong> · {c.role} · {c.email ?? 'no email'}
      </p>
      <p data-testid="intercom-tags">Tags: {mine.length ? mine.join(', ') : 'none'}</p>
      <table class="props" data-testid="intercom-attributes">
        <tbody>
          {attrs.map(([k, v]) => (
            <tr data-attribute={k}>
              <th scope="row">{k}</th>
              <td>{String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {conv ? (
        <blockquote class="conversation">
          <p class="muted">Conversation {conv.id}</p>
          <p>{stripTags(conv.source.body)}</p>
        </blockquote>
      ) : null}
      <form method="post" action="/sandbox/intercom/tag" class="deal">
        <input type="hidden" name="ic" value={c.id} />
        <label for="tag">Tag this contact</label>
        <input type="text" id="tag" name="tag" list="known-tags" maxlength={80} placeholder="e.g. Customer" />
        <datalist id="known-tags">
          {tags.map((t) => (
            <option value={t.name} />
          ))}
        </datalist>
        <button type="submit">Apply tag</button>
      </form>
    </>
  );
}

/** Conversation bodies are HTML in Intercom; here they are shown as text only. */
const stripTags = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
