// `GET /me` (how an app learns which workspace a token belongs to) and the admin list.
import { Hono } from 'hono';
import { renderAdmin } from './contact-view.ts';
import { adminNotFound } from './errors.ts';
import { api, type ApiEnv } from './http.ts';
import type { AdminRec, WorkspaceRec } from './state.ts';

export function renderMe(ws: WorkspaceRec, admin: AdminRec): Record<string, unknown> {
  return {
    type: 'admin',
    id: admin.id,
    email: admin.email,
    name: admin.name,
    job_title: admin.job_title,
    away_mode_enabled: admin.away_mode_enabled,
    away_mode_reassign: admin.away_mode_reassign,
    has_inbox_seat: admin.has_inbox_seat,
    team_ids: admin.team_ids,
    email_verified: true,
    app: {
      type: 'app',
      id_code: ws.id_code,
      name: ws.name,
      created_at: ws.created_at,
      secure: false,
      identity_verification: false,
      timezone: ws.timezone,
      region: ws.region,
    },
    avatar: { type: 'avatar', image_url: null },
  };
}

export function adminRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/me', (c) => {
    const { ws, install } = api(c);
    const admin = ws.admins.get(install.admin_id) ?? [...ws.admins.values()][0];
    return c.json(renderMe(ws, admin));
  });
  r.get('/admins', (c) => c.json({ type: 'admin.list', admins: [...api(c).ws.admins.values()].map(renderAdmin) }));
  r.get('/admins/:id', (c) => {
    const admin = api(c).ws.admins.get(c.req.param('id'));
    if (!admin) throw adminNotFound();
    return c.json(renderAdmin(admin));
  });
  return r;
}
