// Conversations: just enough for the inbox app — the conversation a teammate has open, its
// contacts (as references, like the real API) and its parts.
import { Hono } from 'hono';
import { renderContactRef } from './contact-view.ts';
import { getContact } from './contacts.ts';
import { resourceNotFound } from './errors.ts';
import { api, type ApiEnv } from './http.ts';
import type { ConversationPartRec, ConversationRec, PartAuthor, Store, WorkspaceRec } from './state.ts';
import { findOrCreateTag } from './tags.ts';

/** The API returns at most the 500 most recent parts. */
const MAX_PARTS = 500;

export interface ConversationDefinition {
  id?: string;
  /** Contact ids; the first one wrote the opening message. */
  contactIds: string[];
  adminAssigneeId?: string | null;
  state?: 'open' | 'closed' | 'snoozed';
  title?: string | null;
  /** Opening message body (HTML, like Intercom). */
  body?: string;
  /** Later messages, oldest first. */
  parts?: Array<{ body: string; from?: 'contact' | 'admin'; adminId?: string; partType?: string }>;
  tags?: string[];
  createdAt?: number;
}

export function createConversation(store: Store, ws: WorkspaceRec, def: ConversationDefinition): ConversationRec {
  if (!def.contactIds.length) throw new Error('Intercom emulator: a conversation needs at least one contact');
  const contacts = def.contactIds.map((id) => getContact(ws, id));
  const firstAdmin = [...ws.admins.keys()][0];
  const created = def.createdAt ?? store.nowSeconds();
  const author = (from: 'contact' | 'admin' = 'contact', adminId?: string): PartAuthor =>
    from === 'admin' ? { type: 'admin', id: adminId ?? def.adminAssigneeId ?? firstAdmin } : { type: contacts[0].role, id: contacts[0].id };
  const parts: ConversationPartRec[] = (def.parts ?? []).map((p, i) => ({
    id: store.nextPartId(),
    part_type: p.partType ?? 'comment',
    body: p.body,
    created_at: created + i + 1,
    author: author(p.from, p.adminId),
  }));
  const conv: ConversationRec = {
    id: def.id ?? store.nextConversationId(),
    created_at: created,
    updated_at: parts.length ? parts[parts.length - 1].created_at : created,
    title: def.title ?? null,
    state: def.state ?? 'open',
    read: false,
    priority: 'not_priority',
    admin_assignee_id: def.adminAssigneeId ? Number(def.adminAssigneeId) : null,
    team_assignee_id: null,
    contact_ids: contacts.map((c) => c.id),
    tag_ids: (def.tags ?? []).map((name) => findOrCreateTag(store, ws, name).id),
    custom_attributes: {},
    source: { id: store.nextPartId(), delivered_as: 'customer_initiated', subject: '', body: def.body ?? '<p>Hi there</p>', author: author('contact') },
    parts,
  };
  ws.conversations.set(conv.id, conv);
  store.touch(ws);
  store.emit(ws.id_code, 'conversation.user.created', () => renderConversation(ws, conv));
  return conv;
}

function renderAuthor(ws: WorkspaceRec, a: PartAuthor) {
  if (a.type === 'admin' || a.type === 'bot') {
    const admin = ws.admins.get(a.id);
    return { type: a.type, id: a.id, name: admin?.name ?? 'Operator', email: admin?.email ?? '', from_ai_agent: false, is_ai_answer: false };
  }
  const c = ws.contacts.get(a.id);
  return { type: a.type, id: a.id, name: c?.name ?? null, email: c?.email ?? '', from_ai_agent: false, is_ai_answer: false };
}

function renderPart(ws: WorkspaceRec, conv: ConversationRec, p: ConversationPartRec) {
  return {
    type: 'conversation_part',
    id: p.id,
    part_type: p.part_type,
    body: p.body,
    created_at: p.created_at,
    updated_at: p.created_at,
    notified_at: p.created_at,
    assigned_to: null,
    author: renderAuthor(ws, p.author),
    attachments: [],
    external_id: null,
    redacted: false,
    email_message_metadata: null,
    metadata: null,
    state: conv.state,
    tags: [],
    event_details: null,
    app_package_code: null,
  };
}

export function renderConversation(ws: WorkspaceRec, conv: ConversationRec): Record<string, unknown> {
  const parts = conv.parts.slice(-MAX_PARTS);
  const teammateIds = [...new Set([conv.admin_assignee_id ? String(conv.admin_assignee_id) : null,
    ...conv.parts.filter((p) => p.author.type === 'admin').map((p) => p.author.id)].filter((x): x is string => !!x))];
  return {
    type: 'conversation',
    id: conv.id,
    created_at: conv.created_at,
    updated_at: conv.updated_at,
    waiting_since: conv.state === 'open' ? conv.updated_at : null,
    snoozed_until: null,
    source: {
      type: 'conversation',
      id: conv.source.id,
      delivered_as: conv.source.delivered_as,
      subject: conv.source.subject,
      body: conv.source.body,
      author: renderAuthor(ws, conv.source.author),
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: conv.contact_ids.map((id) => renderContactRef(ws.contacts.get(id) ?? { id, external_id: null })),
    },
    first_contact_reply: null,
    admin_assignee_id: conv.admin_assignee_id,
    team_assignee_id: conv.team_assignee_id,
    open: conv.state === 'open',
    state: conv.state,
    read: conv.read,
    tags: {
      type: 'tag.list',
      tags: conv.tag_ids.map((id) => ws.tags.get(id)).filter((t) => !!t).map((t) => ({
        type: 'tag', id: t.id, name: t.name, applied_at: conv.created_at, applied_by: { type: 'admin', id: String(conv.admin_assignee_id ?? '') },
      })),
    },
    priority: conv.priority,
    sla_applied: null,
    statistics: null,
    conversation_rating: null,
    teammates: { type: 'admin.list', teammates: teammateIds.map((id) => ({ type: 'admin', id })) },
    title: conv.title,
    custom_attributes: conv.custom_attributes,
    topics: {},
    ticket: null,
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ai_agent: null,
    ai_agent_participated: false,
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: parts.map((p) => renderPart(ws, conv, p)),
      total_count: parts.length,
    },
  };
}

export function conversationRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/conversations/:id', (c) => {
    const { ws } = api(c);
    const conv = ws.conversations.get(c.req.param('id'));
    if (!conv) throw resourceNotFound();
    return c.json(renderConversation(ws, conv));
  });
  return r;
}
