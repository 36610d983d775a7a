import type { Hono } from 'hono';
import { API_SOURCE, type EmulatorContext } from './context.ts';
import { CONTACT_TO_DEAL, DEAL_TO_CONTACT } from './association-store.ts';
import { notFound, standardError, validation } from './errors.ts';
import { assertBatchSize, authedPortal, baseUrl, jsonBody, parseId, queryInt, requireScopes, type HsContext, type HsEnv } from './http.ts';
import { associate, dissociate } from './records.ts';
import { objectKind } from './serialize.ts';
import type { Portal } from './state.ts';
import { OBJECT_TYPE_IDS, SINGULAR, type ChangeSource, type CrmRecord, type ObjectKind } from './types.ts';

// Associations v4 between deals and contacts (type 3 deal→contact, 4 contact→deal), and the
// `associations` accepted when creating a record through v3.

type Input = Record<string, unknown>;

const typeIdFor = (from: ObjectKind) => (from === 'deals' ? DEAL_TO_CONTACT : CONTACT_TO_DEAL);
const spec = (from: ObjectKind) => ({ category: 'HUBSPOT_DEFINED', typeId: typeIdFor(from), label: null });

function kinds(c: HsContext, fromParam: string, toParam: string): [ObjectKind, ObjectKind] {
  const fromRaw = c.req.param(fromParam) ?? '';
  const toRaw = c.req.param(toParam) ?? '';
  const from = objectKind(fromRaw);
  const to = objectKind(toRaw);
  if (!from) throw validation(`Unable to infer object type from: ${fromRaw}`);
  if (!to) throw validation(`Unable to infer object type from: ${toRaw}`);
  if (from === to) throw validation(`There are no associations between ${fromRaw} and ${toRaw}`);
  return [from, to];
}

function associated(portal: Portal, from: ObjectKind, id: number): number[] {
  return from === 'deals' ? portal.associations.contactsOf(id) : portal.associations.dealsOf(id);
}

/** Orders a (from, to) pair as (deal, contact), the store's key. */
const pair = (from: ObjectKind, fromId: number, toId: number): [number, number] => (from === 'deals' ? [fromId, toId] : [toId, fromId]);

function record(portal: Portal, kind: ObjectKind, raw: unknown): CrmRecord {
  const id = parseId(String(raw ?? ''));
  const rec = id === undefined ? undefined : portal.objects[kind].get(id);
  if (!rec) throw notFound(`No ${SINGULAR[kind]} with ID ${String(raw)} exists`);
  return rec;
}

function checkSpecs(from: ObjectKind, types: unknown): void {
  const list = Array.isArray(types) ? (types as Input[]) : [];
  if (!list.length) throw validation('At least one association type is required');
  for (const t of list) {
    if (Number(t.associationTypeId) !== typeIdFor(from) || (t.associationCategory ?? 'HUBSPOT_DEFINED') !== 'HUBSPOT_DEFINED') {
      throw validation(`${String(t.associationCategory)} ${String(t.associationTypeId)} is not a valid association type between ${from} and ${from === 'deals' ? 'contacts' : 'deals'}`);
    }
  }
}

function labelsBetween(from: ObjectKind, to: ObjectKind, fromId: number, toId: number) {
  // HubSpot sends v4 object ids as JSON numbers although its generated models say string.
  return { fromObjectTypeId: OBJECT_TYPE_IDS[from], fromObjectId: fromId, toObjectTypeId: OBJECT_TYPE_IDS[to], toObjectId: toId, labels: [] };
}

/** v3 create accepts `associations: [{ to: { id }, types: [{ associationCategory, associationTypeId }] }]`. */
export function createAssociationsOnCreate(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, rec: CrmRecord, raw: unknown, source: ChangeSource): void {
  if (!Array.isArray(raw)) return;
  const other: ObjectKind = kind === 'deals' ? 'contacts' : 'deals';
  for (const a of raw as Input[]) {
    checkSpecs(kind, a.types);
    const target = record(portal, other, (a.to as Input | undefined)?.id);
    const [deal, contact] = pair(kind, rec.id, target.id);
    associate(ctx, portal, deal, contact, source);
  }
}

export function registerAssociationRoutes(api: Hono<HsEnv>, ctx: EmulatorContext): void {
  const source = (c: HsContext) => API_SOURCE(c.get('auth').appId);
  const readScopes = (c: HsContext, a: ObjectKind, b: ObjectKind) => {
    requireScopes(c, [`crm.objects.${a}.read`]);
    requireScopes(c, [`crm.objects.${b}.read`]);
  };

  api.get('/crm/v4/objects/:from/:id/associations/:to', (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    readScopes(c, from, to);
    const limit = queryInt(c, 'limit', 500);
    if (limit < 1 || limit > 500) throw validation(`limit must be between 1 and 500, got ${limit}`);
    const offset = Number(c.req.query('after') ?? 0) || 0;
    const portal = authedPortal(ctx, c);
    const id = parseId(c.req.param('id'));
    const all = id === undefined || !portal.objects[from].get(id) ? [] : associated(portal, from, id);
    const page = all.slice(offset, offset + limit);
    const body: Record<string, unknown> = { results: page.map((toObjectId) => ({ toObjectId, associationTypes: [spec(from)] })) };
    if (offset + limit < all.length) {
      const link = new URL(c.req.url);
      link.searchParams.set('after', String(offset + limit));
      body.paging = { next: { after: String(offset + limit), link: `${baseUrl(c)}${link.pathname}${link.search}` } };
    }
    return c.json(body);
  });

  api.put('/crm/v4/objects/:from/:id/associations/default/:to/:toId', (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    const portal = authedPortal(ctx, c);
    const a = record(portal, from, c.req.param('id'));
    const b = record(portal, to, c.req.param('toId'));
    const startedAt = ctx.iso();
    associate(ctx, portal, ...pair(from, a.id, b.id), source(c));
    const result = { from: { id: String(a.id) }, to: { id: String(b.id) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeIdFor(from) } };
    return c.json({ status: 'COMPLETE', results: [result], startedAt, completedAt: ctx.iso() });
  });

  api.put('/crm/v4/objects/:from/:id/associations/:to/:toId', async (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    checkSpecs(from, await jsonBody<unknown>(c));
    const portal = authedPortal(ctx, c);
    const a = record(portal, from, c.req.param('id'));
    const b = record(portal, to, c.req.param('toId'));
    associate(ctx, portal, ...pair(from, a.id, b.id), source(c));
    return c.json(labelsBetween(from, to, a.id, b.id), 201);
  });

  api.delete('/crm/v4/objects/:from/:id/associations/:to/:toId', (c) => {
    const [from] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    const portal = authedPortal(ctx, c);
    const a = parseId(c.req.param('id'));
    const b = parseId(c.req.param('toId'));
    if (a !== undefined && b !== undefined) dissociate(ctx, portal, ...pair(from, a, b), source(c));
    return c.body(null, 204);
  });

  api.post('/crm/v4/associations/:from/:to/batch/read', async (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    readScopes(c, from, to);
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs, 1000) as Input[];
    const portal = authedPortal(ctx, c);
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      const id = parseId(String(input.id ?? ''));
      const ids = id === undefined || !portal.objects[from].get(id) ? [] : associated(portal, from, id);
      if (!ids.length) {
        // HubSpot reports "nothing associated" per input as an error, making the answer a 207.
        errors.push({
          ...standardError('OBJECT_NOT_FOUND', `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${String(input.id)}.`, { fromObjectId: [String(input.id)] }),
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        });
        continue;
      }
      results.push({ from: { id: String(id) }, to: ids.map((toObjectId) => ({ toObjectId, associationTypes: [spec(from)] })) });
    }
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: ctx.iso() };
    if (errors.length) Object.assign(body, { numErrors: errors.length, errors });
    return c.json(body, errors.length ? 207 : 200);
  });

  api.post('/crm/v4/associations/:from/:to/batch/create', async (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const plan = inputs.map((i) => {
      checkSpecs(from, i.types);
      return [record(portal, from, (i.from as Input)?.id), record(portal, to, (i.to as Input)?.id)] as const;
    });
    const results = plan.map(([a, b]) => {
      associate(ctx, portal, ...pair(from, a.id, b.id), source(c));
      return labelsBetween(from, to, a.id, b.id);
    });
    return c.json({ status: 'COMPLETE', results, startedAt, completedAt: ctx.iso() }, 201);
  });

  api.post('/crm/v4/associations/:from/:to/batch/associate/default', async (c) => {
    const [from, to] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const plan = inputs.map((i) => [record(portal, from, (i.from as Input)?.id), record(portal, to, (i.to as Input)?.id)] as const);
    const results = plan.map(([a, b]) => {
      associate(ctx, portal, ...pair(from, a.id, b.id), source(c));
      return { from: { id: String(a.id) }, to: { id: String(b.id) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeIdFor(from) } };
    });
    return c.json({ status: 'COMPLETE', results, startedAt, completedAt: ctx.iso() });
  });

  api.post('/crm/v4/associations/:from/:to/batch/archive', async (c) => {
    const [from] = kinds(c, 'from', 'to');
    requireScopes(c, [`crm.objects.${from}.write`]);
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    for (const i of inputs) {
      const a = parseId(String((i.from as Input | undefined)?.id ?? ''));
      for (const t of (i.to as Input[] | undefined) ?? []) {
        const b = parseId(String(t.id ?? ''));
        if (a !== undefined && b !== undefined) dissociate(ctx, portal, ...pair(from, a, b), source(c));
      }
    }
    return c.body(null, 204);
  });
}
