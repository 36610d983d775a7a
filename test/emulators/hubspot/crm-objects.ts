import type { Hono } from 'hono';
import { API_SOURCE, type EmulatorContext } from './context.ts';
import { notFound, standardError, validation } from './errors.ts';
import { assertBatchSize, authedPortal, baseUrl, jsonBody, parseId, queryInt, requireScopes, type HsContext, type HsEnv } from './http.ts';
import { createAssociationsOnCreate } from './associations.ts';
import { applyUpdate, archiveRecord, insertRecord, mergeRecords, prepareCreate, prepareUpdate, purgeRecord } from './records.ts';
import { lowerBound, type Portal } from './state.ts';
import { objectKind, propertyList, recordJson } from './serialize.ts';
import type { CrmRecord, ObjectKind } from './types.ts';

// CRM v3 objects for contacts and deals: basic (get, page, create, update, archive), batch
// (read, create, update, upsert, archive), contact merge and GDPR delete.

type Input = Record<string, unknown>;

export function kindOf(c: HsContext): ObjectKind {
  const raw = c.req.param('type') ?? '';
  const kind = objectKind(raw);
  if (!kind) throw validation(`Unable to infer object type from: ${raw}`);
  return kind;
}

const readScope = (k: ObjectKind) => [`crm.objects.${k}.read`];
const writeScope = (k: ObjectKind) => [`crm.objects.${k}.write`];

/** Finds a record by id or by a unique property (`idProperty=email` for contacts). */
export function lookup(portal: Portal, kind: ObjectKind, key: string, idProperty?: string, archived = false): CrmRecord | undefined {
  const store = portal.objects[kind];
  if (!idProperty || idProperty === 'hs_object_id') {
    const id = parseId(key);
    return id === undefined ? undefined : store.get(id, archived);
  }
  if (kind === 'contacts' && idProperty === 'email') return archived ? undefined : store.findByEmail(key);
  const def = portal.schemas[kind].live(idProperty);
  if (!def?.hasUniqueValue) throw validation(`${idProperty} is not a unique identifier property for ${kind}.`);
  for (const rec of store.byId.values()) if (rec.archived === archived && rec.props[idProperty] === key) return rec;
  return undefined;
}

function batchResult(results: unknown[], errors: unknown[], startedAt: string, completedAt: string) {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt };
  if (errors.length) Object.assign(body, { numErrors: errors.length, errors });
  return body;
}

function missingError(kind: ObjectKind, verb: string, ids: string[]) {
  const singular = kind === 'contacts' ? 'CONTACT' : 'DEAL';
  return standardError('OBJECT_NOT_FOUND', `Could not ${verb} some ${singular} objects, they may be deleted or not exist. Check that ids are valid.`, { ids });
}

function assertNoDuplicateIds(inputs: Input[]): void {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const i of inputs) {
    const id = String(i.id);
    if (seen.has(id)) dups.add(id);
    seen.add(id);
  }
  if (dups.size) throw validation(`Duplicate IDs found in batch input: [${[...dups].join(', ')}]. IDs must be unique`);
}

export function registerObjectRoutes(api: Hono<HsEnv>, ctx: EmulatorContext, prefix: string): void {
  const source = (c: HsContext) => API_SOURCE(c.get('auth').appId);

  api.post(`${prefix}/contacts/merge`, async (c) => {
    requireScopes(c, writeScope('contacts'));
    const body = await jsonBody<Input>(c);
    const primary = parseId(String(body.primaryObjectId ?? ''));
    const merged = parseId(String(body.objectIdToMerge ?? ''));
    if (primary === undefined || merged === undefined) throw validation('primaryObjectId and objectIdToMerge are required');
    const portal = authedPortal(ctx, c);
    const rec = mergeRecords(ctx, portal, 'contacts', primary, merged, source(c));
    return c.json(recordJson(portal, 'contacts', rec));
  });

  api.post(`${prefix}/contacts/gdpr-delete`, async (c) => {
    requireScopes(c, writeScope('contacts'));
    const body = await jsonBody<Input>(c);
    const portal = authedPortal(ctx, c);
    const rec = lookup(portal, 'contacts', String(body.objectId ?? ''), body.idProperty as string | undefined);
    if (!rec) throw notFound(`Object not found. objectId: ${String(body.objectId)}`);
    purgeRecord(ctx, portal, rec, source(c));
    return c.body(null, 204);
  });

  api.post(`${prefix}/:type/batch/read`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, readScope(kind));
    const startedAt = ctx.iso();
    const body = await jsonBody<Input>(c);
    const inputs = assertBatchSize(body.inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const archived = c.req.query('archived') === 'true';
    const idProperty = body.idProperty as string | undefined;
    const properties = propertyList(body.properties as string[] | undefined);
    const propertiesWithHistory = propertyList(body.propertiesWithHistory as string[] | undefined);
    const results: unknown[] = [];
    const seen = new Set<number>();
    const missing: string[] = [];
    for (const input of inputs) {
      const rec = lookup(portal, kind, String(input.id), idProperty, archived);
      if (!rec) missing.push(String(input.id));
      else if (!seen.has(rec.id)) {
        seen.add(rec.id);
        results.push(recordJson(portal, kind, rec, { properties, propertiesWithHistory }));
      }
    }
    const errors = missing.length ? [missingError(kind, 'get', missing)] : [];
    return c.json(batchResult(results, errors, startedAt, ctx.iso()), errors.length ? 207 : 200);
  });

  api.post(`${prefix}/:type/batch/create`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const prepared = inputs.map((i) => prepareCreate(portal, kind, i.properties));
    if (kind === 'contacts') {
      const emails = prepared.map((p) => p.email?.toLowerCase()).filter(Boolean);
      if (new Set(emails).size !== emails.length) throw validation('Duplicate emails found in batch input');
    }
    const results = prepared.map((values, i) => {
      const rec = insertRecord(ctx, portal, kind, values, source(c));
      createAssociationsOnCreate(ctx, portal, kind, rec, inputs[i].associations, source(c));
      return recordJson(portal, kind, rec);
    });
    return c.json(batchResult(results, [], startedAt, ctx.iso()), 201);
  });

  api.post(`${prefix}/:type/batch/update`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    assertNoDuplicateIds(inputs);
    const portal = authedPortal(ctx, c);
    const missing: string[] = [];
    const found: [CrmRecord, Record<string, string>][] = [];
    for (const input of inputs) {
      const rec = lookup(portal, kind, String(input.id), input.idProperty as string | undefined);
      if (!rec) missing.push(String(input.id));
      else found.push([rec, prepareUpdate(portal, kind, rec, input.properties)]);
    }
    const results = found.map(([rec, values]) => recordJson(portal, kind, applyUpdate(ctx, portal, kind, rec, values, source(c))));
    const errors = missing.length ? [missingError(kind, 'update', missing)] : [];
    return c.json(batchResult(results, errors, startedAt, ctx.iso()), errors.length ? 207 : 200);
  });

  api.post(`${prefix}/:type/batch/upsert`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    assertNoDuplicateIds(inputs);
    const portal = authedPortal(ctx, c);
    const plan = inputs.map((input) => {
      const idProperty = input.idProperty as string | undefined;
      if (!idProperty) throw validation('idProperty is required for upsert');
      const rec = lookup(portal, kind, String(input.id), idProperty);
      if (rec) return { rec, values: prepareUpdate(portal, kind, rec, input.properties) };
      const props = { ...(input.properties as Input | undefined), [idProperty]: String(input.id) };
      return { rec: undefined, values: prepareCreate(portal, kind, props) };
    });
    const results = plan.map(({ rec, values }) => {
      const out = rec ? applyUpdate(ctx, portal, kind, rec, values, source(c)) : insertRecord(ctx, portal, kind, values, source(c));
      // The upsert model types values as non-null strings, and HubSpot leaves unset ones out.
      const json = recordJson(portal, kind, out);
      const props = json.properties as Record<string, string | null>;
      for (const k of Object.keys(props)) if (props[k] === null) delete props[k];
      return { ...json, new: !rec };
    });
    return c.json(batchResult(results, [], startedAt, ctx.iso()), 200);
  });

  api.post(`${prefix}/:type/batch/archive`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const inputs = assertBatchSize((await jsonBody<Input>(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    for (const input of inputs) {
      const rec = lookup(portal, kind, String(input.id));
      if (rec) archiveRecord(ctx, portal, kind, rec, source(c));
    }
    return c.body(null, 204);
  });

  api.get(`${prefix}/:type`, (c) => {
    const kind = kindOf(c);
    requireScopes(c, readScope(kind));
    const limit = queryInt(c, 'limit', 10);
    if (limit < 1 || limit > 100) throw validation(`limit must be between 1 and 100, got ${limit}`);
    const after = c.req.query('after');
    const archived = c.req.query('archived') === 'true';
    const portal = authedPortal(ctx, c);
    const store = portal.objects[kind];
    const properties = propertyList(c.req.queries('properties'));
    const propertiesWithHistory = propertyList(c.req.queries('propertiesWithHistory'));
    const associations = propertyList(c.req.queries('associations'));
    let i = after === undefined ? 0 : lowerBound(store.order, Number(after) || 0);
    const results: unknown[] = [];
    let next: number | undefined;
    for (; i < store.order.length; i++) {
      const rec = store.byId.get(store.order[i])!;
      if (rec.archived !== archived) continue;
      if (results.length === limit) {
        next = rec.id;
        break;
      }
      results.push(recordJson(portal, kind, rec, { properties, propertiesWithHistory, associations }));
    }
    const body: Record<string, unknown> = { results };
    if (next !== undefined) {
      const link = new URL(c.req.url);
      link.searchParams.set('after', String(next));
      body.paging = { next: { after: String(next), link: `${baseUrl(c)}${link.pathname}${link.search}` } };
    }
    return c.json(body);
  });

  api.get(`${prefix}/:type/:id`, (c) => {
    const kind = kindOf(c);
    requireScopes(c, readScope(kind));
    const portal = authedPortal(ctx, c);
    const idProperty = c.req.query('idProperty');
    const archived = c.req.query('archived') === 'true';
    const rec = lookup(portal, kind, c.req.param('id'), idProperty, archived);
    if (!rec) throw notFound(`Object not found.  objectId are usually numeric.`, { context: { id: [c.req.param('id')] } });
    return c.json(recordJson(portal, kind, rec, {
      properties: propertyList(c.req.queries('properties')),
      propertiesWithHistory: propertyList(c.req.queries('propertiesWithHistory')),
      associations: propertyList(c.req.queries('associations')),
    }));
  });

  api.post(`${prefix}/:type`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const body = await jsonBody<Input>(c);
    if (!body.properties || typeof body.properties !== 'object') throw validation('properties is required');
    const portal = authedPortal(ctx, c);
    const values = prepareCreate(portal, kind, body.properties);
    const rec = insertRecord(ctx, portal, kind, values, source(c));
    createAssociationsOnCreate(ctx, portal, kind, rec, body.associations, source(c));
    return c.json(recordJson(portal, kind, rec), 201);
  });

  api.patch(`${prefix}/:type/:id`, async (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const body = await jsonBody<Input>(c);
    const portal = authedPortal(ctx, c);
    const rec = lookup(portal, kind, c.req.param('id'), c.req.query('idProperty'));
    if (!rec) throw notFound(`Object not found.  objectId are usually numeric.`, { context: { id: [c.req.param('id')] } });
    const values = prepareUpdate(portal, kind, rec, body.properties ?? {});
    return c.json(recordJson(portal, kind, applyUpdate(ctx, portal, kind, rec, values, source(c))));
  });

  api.delete(`${prefix}/:type/:id`, (c) => {
    const kind = kindOf(c);
    requireScopes(c, writeScope(kind));
    const portal = authedPortal(ctx, c);
    const rec = lookup(portal, kind, c.req.param('id'));
    // HubSpot answers 204 whether or not the record existed.
    if (rec) archiveRecord(ctx, portal, kind, rec, source(c));
    return c.body(null, 204);
  });
}


