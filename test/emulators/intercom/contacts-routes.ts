// REST routes for single contacts. Search and list live in search.ts, tags in tags.ts.
import { Hono } from 'hono';
import { renderContact, renderContactRef } from './contact-view.ts';
import {
  createContact, deleteContact, findByExternalId, getContact, mergeContacts, setArchived, updateContact,
} from './contacts.ts';
import { api, readJson, type ApiEnv } from './http.ts';

export function contactRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.post('/contacts', async (c) => {
    const { store, ws, settings } = api(c);
    return c.json(renderContact(ws, createContact(store, ws, await readJson(c), settings)));
  });
  r.post('/contacts/merge', async (c) => {
    const { store, ws } = api(c);
    const body = await readJson(c);
    return c.json(renderContact(ws, mergeContacts(store, ws, body.from, body.into)));
  });
  r.get('/contacts/find_by_external_id/:externalId', (c) => {
    const { ws } = api(c);
    return c.json(renderContact(ws, findByExternalId(ws, c.req.param('externalId'))));
  });
  r.get('/contacts/:id', (c) => {
    const { ws } = api(c);
    return c.json(renderContact(ws, getContact(ws, c.req.param('id'))));
  });
  r.put('/contacts/:id', async (c) => {
    const { store, ws } = api(c);
    return c.json(renderContact(ws, updateContact(store, ws, c.req.param('id'), await readJson(c))));
  });
  r.delete('/contacts/:id', (c) => {
    const { store, ws } = api(c);
    return c.json({ ...renderContactRef(deleteContact(store, ws, c.req.param('id'))), deleted: true });
  });
  r.post('/contacts/:id/archive', (c) => {
    const { store, ws } = api(c);
    return c.json({ ...renderContactRef(setArchived(store, ws, c.req.param('id'), true)), archived: true });
  });
  r.post('/contacts/:id/unarchive', (c) => {
    const { store, ws } = api(c);
    return c.json({ ...renderContactRef(setArchived(store, ws, c.req.param('id'), false)), archived: false });
  });
  return r;
}
