import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import { problem, problemResponse } from '../http/problem.ts';
import { MAX_JSON_BODY } from '../http/json-body.ts';
import { findConnection } from '../platform/connections.ts';
import { verifyIntercomCanvas } from '../platform/signatures.ts';
import { buildContactView, buildContactViewAt } from '../program/contact-view.ts';
import { performContactAction } from '../program/contact-actions.ts';
import type { Actor } from '../program/actor.ts';
import {
  initializeResponse,
  renderContactCanvas,
  renderErrorCanvas,
  renderUnqualifyPrompt,
  requestContact,
  resolveSubmit,
  submitResponse,
  type Canvas,
  type CanvasKitContact,
  type InitializeRequest,
  type SubmitRequest,
} from '../../intercom-canvas/index.ts';
import { canvasContact, contactInRequest } from './canvas-contact.ts';

// The inbox app's two Canvas Kit endpoints. The signature is checked on the raw body before
// anything else; after that every outcome, failures included, is a valid canvas with HTTP 200,
// because Intercom shows a bare "Something went wrong" for anything else.

export function canvasRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.post('/intercom/canvas/initialize', async (c) => {
    const body = await signedBody<InitializeRequest>(ctx, c);
    if (body instanceof Response) return body;
    const sent = requestContact(body);
    const given = sent ? contactInRequest(sent) : null;
    // The usual request carries the whole contact: workspace, contact and view in one statement.
    const canvas = given
      ? await guarded(ctx, body, async (workspaceId) => {
          const { connection, view } = await buildContactViewAt(ctx, { provider: 'intercom', externalId: workspaceId, contact: given });
          return unusable(ctx, connection) ?? renderContactCanvas(view!);
        })
      : await safely(ctx, body, async (connection) => {
          const contact = sent ? await canvasContact(ctx, connection, sent) : null;
          if (!contact) return renderErrorCanvas({ kind: 'unknown_contact' });
          return renderContactCanvas(await buildContactView(ctx, { accountId: connection.accountId, connectionId: connection.id, contact }));
        });
    return c.json(initializeResponse(canvas));
  });

  app.post('/intercom/canvas/submit', async (c) => {
    const body = await signedBody<SubmitRequest>(ctx, c);
    if (body instanceof Response) return body;
    let completed = false;
    const canvas = await safely(ctx, body, async (connection) => {
      const submit = resolveSubmit(body);
      if (!submit.contactId) return renderErrorCanvas({ kind: 'unknown_contact' });
      const sent: CanvasKitContact = requestContact(body) ?? { id: submit.contactId };
      const contact = await canvasContact(ctx, connection, sent);
      if (!contact) return renderErrorCanvas({ kind: 'unknown_contact' });
      const scope = { accountId: connection.accountId, connectionId: connection.id, contact };
      switch (submit.kind) {
        case 'action': {
          const view = await performContactAction(ctx, { ...scope, action: submit.action, actor: teammate(body) });
          completed = view.notice?.type === 'success';
          return renderContactCanvas(view);
        }
        case 'unqualify_prompt':
          return renderUnqualifyPrompt(await buildContactView(ctx, { ...scope, campaignId: submit.campaignId }), submit.participantId);
        case 'cancel':
          return renderContactCanvas(await buildContactView(ctx, { ...scope, campaignId: submit.campaignId }));
        case 'invalid':
          // Lost or foreign stored_data, an unknown button: show the contact afresh rather than guess.
          ctx.log.info({ reason: submit.reason }, 'canvas submit re-rendered from scratch');
          return renderContactCanvas(await buildContactView(ctx, scope));
      }
    });
    return c.json(submitResponse(canvas, { completed }));
  });

  return app;
}

/** The parsed body when `X-Body-Signature` matches; otherwise the 401/400 problem to answer. */
async function signedBody<T>(ctx: AppContext, c: Context): Promise<T | Response> {
  const secret = ctx.config.intercom?.clientSecret;
  if (!secret) return problemResponse(c, problem(503, 'intercom_not_configured', 'This server has no Intercom app credentials.'));
  const raw = await c.req.text();
  if (raw.length > MAX_JSON_BODY) return problemResponse(c, problem(413, 'body_too_large', 'The request body is too large.'));
  const verdict = verifyIntercomCanvas(secret, raw, c.req.header('x-body-signature'));
  if (!verdict.ok) {
    return problemResponse(c, problem(401, 'invalid_signature', verdict.reason === 'missing' ? 'X-Body-Signature is missing.' : 'X-Body-Signature does not match the body.'));
  }
  try {
    const body = JSON.parse(raw) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as T;
  } catch {
    /* answered below */
  }
  return problemResponse(c, problem(400, 'malformed_json', 'The request body is not a JSON object.'));
}

/** The workspace's connection, then `render`; every failure becomes an error canvas. */
async function safely(ctx: AppContext, body: InitializeRequest, render: (connection: Connection) => Promise<Canvas>): Promise<Canvas> {
  return guarded(ctx, body, async (workspaceId) => {
    const connection = await findConnection(ctx.db, 'intercom', workspaceId);
    return unusable(ctx, connection) ?? (await render(connection!));
  });
}

/** `render` for the workspace the request names; a request naming none, or any failure, becomes an error canvas. */
async function guarded(ctx: AppContext, body: InitializeRequest, render: (workspaceId: string) => Promise<Canvas>): Promise<Canvas> {
  try {
    const workspaceId = typeof body.workspace_id === 'string' ? body.workspace_id : typeof body.app_id === 'string' ? body.app_id : null;
    if (!workspaceId) return renderErrorCanvas({ kind: 'not_installed' });
    return await render(workspaceId);
  } catch (err) {
    ctx.log.error({ err, workspace: body.workspace_id }, 'canvas failed');
    return renderErrorCanvas({ kind: 'error' });
  }
}

/** The error canvas for a workspace Refcard is not installed in or has lost; null when it can be used. */
function unusable(ctx: AppContext, connection: Pick<Connection, 'status'> | null): Canvas | null {
  if (!connection) return renderErrorCanvas({ kind: 'not_installed' });
  if (connection.status !== 'connected') return renderErrorCanvas({ kind: 'disconnected', consoleUrl: `${ctx.config.publicUrl}/admin` });
  return null;
}

function teammate(body: InitializeRequest): Actor {
  const admin = body.admin;
  const label = typeof admin?.email === 'string' && admin.email ? admin.email : typeof admin?.name === 'string' && admin.name ? admin.name : 'Intercom teammate';
  return { type: 'user', id: typeof admin?.id === 'string' || typeof admin?.id === 'number' ? String(admin.id) : null, label: label.slice(0, 200), source: 'intercom_inbox' };
}
