import type { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { notFound, validation } from './errors.ts';
import { authedPortal, parseId, queryInt, requireScopes, baseUrl, type HsContext, type HsEnv } from './http.ts';
import { objectKind } from './serialize.ts';
import type { Owner, PipelineDef, PipelineStageDef } from './types.ts';

// Read-only pipelines (/crm/v3/pipelines/deals…) and owners (/crm/v3/owners). Pipelines are
// changed through seeding, not the API: Refcard only reads them.

const iso = (ms: number) => new Date(ms).toISOString();

function stageJson(p: PipelineDef, s: PipelineStageDef) {
  return {
    label: s.label, displayOrder: s.displayOrder,
    metadata: { isClosed: String(s.isClosed), probability: String(s.probability) },
    id: s.id, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt), archived: false, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}

function pipelineJson(p: PipelineDef) {
  return {
    label: p.label, displayOrder: p.displayOrder, id: p.id, stages: p.stages.map((s) => stageJson(p, s)),
    createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt), archived: false,
  };
}

function pipelinesOf(ctx: EmulatorContext, c: HsContext): PipelineDef[] {
  const raw = c.req.param('objectType') ?? '';
  const kind = objectKind(raw);
  if (kind === 'deals') {
    requireScopes(c, ['crm.objects.deals.read']);
    return authedPortal(ctx, c).pipelines;
  }
  // Tickets and other pipelined objects are not emulated; contacts have no pipelines at all.
  if (kind === 'contacts') throw validation(`Pipelines are not supported for ${raw}`);
  throw validation(`Unable to infer object type from: ${raw}`);
}

function pipeline(ctx: EmulatorContext, c: HsContext): PipelineDef {
  const p = pipelinesOf(ctx, c).find((x) => x.id === c.req.param('pipelineId'));
  if (!p) throw notFound(`Unable to find pipeline ${c.req.param('pipelineId')}`);
  return p;
}

function ownerJson(o: Owner) {
  return {
    id: o.id, email: o.email, type: 'PERSON', firstName: o.firstName, lastName: o.lastName, userId: o.userId,
    userIdIncludingInactive: o.userId, createdAt: iso(o.createdAt), updatedAt: iso(o.updatedAt), archived: o.archived, teams: o.teams,
  };
}

export function registerPipelineAndOwnerRoutes(api: Hono<HsEnv>, ctx: EmulatorContext): void {
  api.get('/crm/v3/pipelines/:objectType', (c) => c.json({ results: pipelinesOf(ctx, c).map(pipelineJson) }));
  api.get('/crm/v3/pipelines/:objectType/:pipelineId', (c) => c.json(pipelineJson(pipeline(ctx, c))));
  api.get('/crm/v3/pipelines/:objectType/:pipelineId/stages', (c) => {
    const p = pipeline(ctx, c);
    return c.json({ results: p.stages.map((s) => stageJson(p, s)) });
  });
  api.get('/crm/v3/pipelines/:objectType/:pipelineId/stages/:stageId', (c) => {
    const p = pipeline(ctx, c);
    const s = p.stages.find((x) => x.id === c.req.param('stageId'));
    if (!s) throw notFound(`Unable to find stage ${c.req.param('stageId')} in pipeline ${p.id}`);
    return c.json(stageJson(p, s));
  });

  const ownersPage = (c: HsContext) => {
    requireScopes(c, ['crm.objects.owners.read']);
    const limit = queryInt(c, 'limit', 100);
    if (limit < 1 || limit > 500) throw validation(`limit must be between 1 and 500, got ${limit}`);
    const email = c.req.query('email')?.toLowerCase();
    const archived = c.req.query('archived') === 'true';
    const owners = authedPortal(ctx, c).owners.filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email));
    const offset = Number(c.req.query('after') ?? 0) || 0;
    const body: Record<string, unknown> = { results: owners.slice(offset, offset + limit).map(ownerJson) };
    if (offset + limit < owners.length) {
      const u = new URL(c.req.url);
      u.searchParams.set('after', String(offset + limit));
      body.paging = { next: { after: String(offset + limit), link: `${baseUrl(c)}${u.pathname}${u.search}` } };
    }
    return c.json(body);
  };
  api.get('/crm/v3/owners', ownersPage);
  api.get('/crm/v3/owners/:ownerId', (c) => {
    requireScopes(c, ['crm.objects.owners.read']);
    const byUser = c.req.query('idProperty') === 'userId';
    const raw = c.req.param('ownerId');
    const o = authedPortal(ctx, c).owners.find((x) => (byUser ? String(x.userId) === raw : x.id === raw) && x.archived === (c.req.query('archived') === 'true'));
    if (!o || parseId(raw) === undefined) throw notFound(`Unable to find owner ${raw}`);
    return c.json(ownerJson(o));
  });
}
