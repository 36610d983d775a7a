// Tags: workspace tags (create-or-return by case-insensitive name) and tagging contacts, which
// fires `contact.<role>.tag.created|deleted` — the webhook Refcard's auto-qualify listens to.
import { Hono } from 'hono';
import { renderAppliedTag, renderContact, renderTagBasic } from './contact-view.ts';
import { getContact } from './contacts.ts';
import { ApiError, invalid, resourceNotFound } from './errors.ts';
import { api, asString, readJson, type ApiEnv } from './http.ts';
import type { AppliedTag, ContactRec, Store, TagRec, WorkspaceRec } from './state.ts';

export const tagByName = (ws: WorkspaceRec, name: string): TagRec | undefined => {
  const lower = name.toLowerCase();
  for (const t of ws.tags.values()) if (t.name.toLowerCase() === lower) return t;
  return undefined;
};

export function findOrCreateTag(store: Store, ws: WorkspaceRec, name: string, id?: string): TagRec {
  if (!name.trim()) throw invalid('invalid tag parameters');
  const existing = tagByName(ws, name);
  if (existing) return existing;
  const tag: TagRec = { id: id ?? store.nextTagId(), name, created_at: store.nowSeconds() };
  ws.tags.set(tag.id, tag);
  store.touch(ws);
  return tag;
}

/** A tag given by id, or by name for the admin-UI helpers (which create it like the inbox does). */
export function resolveTag(store: Store, ws: WorkspaceRec, idOrName: string): TagRec {
  return ws.tags.get(idOrName) ?? findOrCreateTag(store, ws, idOrName);
}

const contactTagItem = (ws: WorkspaceRec, tag: TagRec, c: ContactRec, at: number) => ({
  type: 'contact_tag',
  created_at: at,
  tag: renderTagBasic(tag),
  contact: renderContact(ws, c),
});

export function tagContact(store: Store, ws: WorkspaceRec, contactId: string, tagId: string, adminId: string): { tag: TagRec; applied: AppliedTag } {
  const c = getContact(ws, contactId);
  const tag = ws.tags.get(tagId);
  if (!tag) throw resourceNotFound();
  const already = c.tags.find((t) => t.id === tag.id);
  if (already) return { tag, applied: already };
  const applied: AppliedTag = { id: tag.id, applied_at: store.nowSeconds(), applied_by: { type: 'admin', id: adminId } };
  c.tags.push(applied);
  store.touch(ws);
  store.emit(ws.id_code, `contact.${c.role}.tag.created`, () => contactTagItem(ws, tag, c, applied.applied_at));
  return { tag, applied };
}

export function untagContact(store: Store, ws: WorkspaceRec, contactId: string, tagId: string): { tag: TagRec; applied: AppliedTag | null } {
  const c = getContact(ws, contactId);
  const tag = ws.tags.get(tagId);
  if (!tag) throw resourceNotFound();
  const idx = c.tags.findIndex((t) => t.id === tag.id);
  if (idx < 0) return { tag, applied: null };
  const [applied] = c.tags.splice(idx, 1);
  store.touch(ws);
  store.emit(ws.id_code, `contact.${c.role}.tag.deleted`, () => contactTagItem(ws, tag, c, store.nowSeconds()));
  return { tag, applied };
}

export function deleteTag(store: Store, ws: WorkspaceRec, tagId: string): void {
  const tag = ws.tags.get(tagId);
  if (!tag) throw resourceNotFound();
  const users = [...ws.segments.values()].filter((s) => mentionsTag(s.query, tag.id));
  if (users.length) {
    throw new ApiError(400, 'tag_has_dependent_objects', `Unable to delete Tag with dependent objects. Segments: ${users.map((s) => s.name).join(', ')}.`);
  }
  for (const c of ws.contacts.values()) if (c.tags.length) c.tags = c.tags.filter((t) => t.id !== tag.id);
  ws.tags.delete(tag.id);
  store.touch(ws);
}

function mentionsTag(query: unknown, tagId: string): boolean {
  if (!query || typeof query !== 'object') return false;
  const q = query as { field?: unknown; value?: unknown };
  if (q.field === 'tag_id') return String(q.value) === tagId;
  return Array.isArray(q.value) && q.value.some((v) => mentionsTag(v, tagId));
}

const appliedView = (tag: TagRec, applied: AppliedTag | null) =>
  applied ? renderAppliedTag(tag, applied) : { ...renderTagBasic(tag), applied_at: null, applied_by: null };

export function tagRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/tags', (c) => c.json({ type: 'list', data: [...api(c).ws.tags.values()].map(renderTagBasic) }));

  // Create-or-return by name; `{ id, name }` renames; `users: [{ id, untag? }]` bulk (un)tags.
  r.post('/tags', async (c) => {
    const { store, ws, install } = api(c);
    const body = await readJson(c);
    if (typeof body.name !== 'string' || !body.name.trim()) throw invalid('invalid tag parameters');
    let tag: TagRec;
    const renameId = asString(body.id);
    if (renameId) {
      const t = ws.tags.get(renameId);
      if (!t) throw resourceNotFound();
      t.name = body.name;
      store.touch(ws);
      tag = t;
    } else {
      tag = findOrCreateTag(store, ws, body.name);
    }
    if (Array.isArray(body.companies) && body.companies.length) throw new ApiError(404, 'company_not_found', 'Company Not Found');
    if (Array.isArray(body.users)) {
      const users = body.users as Array<{ id?: unknown; untag?: unknown }>;
      const ids = users.map((u) => asString(u?.id) ?? '');
      for (const id of ids) getContact(ws, id); // 404 before any change, like a transaction
      users.forEach((u, i) => (u.untag === true ? untagContact(store, ws, ids[i], tag.id) : tagContact(store, ws, ids[i], tag.id, install.admin_id)));
    }
    return c.json(renderTagBasic(tag));
  });

  r.get('/tags/:id', (c) => {
    const tag = api(c).ws.tags.get(c.req.param('id'));
    if (!tag) throw resourceNotFound();
    return c.json(renderTagBasic(tag));
  });
  r.delete('/tags/:id', (c) => {
    const { store, ws } = api(c);
    deleteTag(store, ws, c.req.param('id'));
    return c.body(null, 200);
  });

  r.get('/contacts/:id/tags', (c) => {
    const { ws } = api(c);
    const contact = getContact(ws, c.req.param('id'));
    return c.json({ type: 'list', data: contact.tags.map((a) => renderAppliedTag(ws.tags.get(a.id)!, a)) });
  });
  r.post('/contacts/:id/tags', async (c) => {
    const { store, ws, install } = api(c);
    const contactId = c.req.param('id');
    getContact(ws, contactId);
    const tagId = asString((await readJson(c)).id);
    if (!tagId) throw resourceNotFound();
    const { tag, applied } = tagContact(store, ws, contactId, tagId, install.admin_id);
    return c.json(renderAppliedTag(tag, applied));
  });
  r.delete('/contacts/:id/tags/:tagId', (c) => {
    const { store, ws } = api(c);
    const { tag, applied } = untagContact(store, ws, c.req.param('id'), c.req.param('tagId'));
    return c.json(appliedView(tag, applied));
  });
  return r;
}
