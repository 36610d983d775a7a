import type { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { conflict, HsError, notFound, standardError, validation } from './errors.ts';
import { assertBatchSize, authedPortal, jsonBody, requireScopes, type HsContext, type HsEnv } from './http.ts';
import { objectKind } from './serialize.ts';
import type { Portal } from './state.ts';
import type { ObjectKind, PropertyDef, PropertyOption } from './types.ts';

// Property definitions and groups: /crm/v3/properties/{objectType}[/{name}|/groups|/batch/*].

type Input = Record<string, unknown>;

const VALID_FIELD_TYPES: Record<string, string[]> = {
  string: ['text', 'textarea', 'file', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  bool: ['booleancheckbox'],
};
const NAME = /^[a-z][a-z0-9_]{0,99}$/;

function kindParam(c: HsContext): ObjectKind {
  const raw = c.req.param('objectType') ?? '';
  const k = objectKind(raw);
  if (!k) throw validation(`Unable to infer object type from: ${raw}`);
  return k;
}

const readScopes = (k: ObjectKind) => [`crm.objects.${k}.read`, `crm.schemas.${k}.read`, `crm.objects.${k}.write`, `crm.schemas.${k}.write`];
const writeScopes = (k: ObjectKind) => [`crm.schemas.${k}.write`, `crm.objects.${k}.write`];

/** dealstage and pipeline list whatever pipelines the portal has right now. */
function liveOptions(portal: Portal, kind: ObjectKind, def: PropertyDef): PropertyOption[] {
  if (kind === 'deals' && def.name === 'dealstage') {
    return portal.pipelines.flatMap((p) => p.stages.map((s) => ({ label: s.label, value: s.id, displayOrder: s.displayOrder, hidden: false, description: p.label })));
  }
  if (kind === 'deals' && def.name === 'pipeline') {
    return portal.pipelines.map((p) => ({ label: p.label, value: p.id, displayOrder: p.displayOrder, hidden: false }));
  }
  return def.options;
}

export function propertyJson(portal: Portal, kind: ObjectKind, def: PropertyDef) {
  const out: Record<string, unknown> = {
    updatedAt: new Date(def.updatedAt).toISOString(),
    createdAt: new Date(def.createdAt).toISOString(),
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description,
    groupName: def.groupName,
    options: liveOptions(portal, kind, def),
    displayOrder: def.displayOrder,
    calculated: def.calculated,
    externalOptions: def.externalOptions,
    hasUniqueValue: def.hasUniqueValue,
    hidden: def.hidden,
    hubspotDefined: def.hubspotDefined,
    modificationMetadata: { archivable: def.archivable, readOnlyDefinition: def.readOnlyDefinition, readOnlyValue: def.readOnlyValue },
    formField: def.formField,
    archived: def.archived,
  };
  if (def.archivedAt !== undefined) out.archivedAt = new Date(def.archivedAt).toISOString();
  if (def.showCurrencySymbol !== undefined) out.showCurrencySymbol = def.showCurrencySymbol;
  if (def.referencedObjectType) out.referencedObjectType = def.referencedObjectType;
  return out;
}

function parseOptions(raw: unknown): PropertyOption[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validation('options must be an array');
  const seen = new Set<string>();
  return (raw as Input[]).map((o, i) => {
    if (typeof o?.label !== 'string' || typeof o?.value !== 'string') throw validation('Each option needs a label and a value');
    if (seen.has(o.value)) throw validation(`Duplicate option value: ${o.value}`);
    seen.add(o.value);
    return { label: o.label, value: o.value, displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : i, hidden: o.hidden === true, description: typeof o.description === 'string' ? o.description : undefined };
  });
}

function checkTypes(type: unknown, fieldType: unknown): void {
  const allowed = VALID_FIELD_TYPES[String(type)];
  if (!allowed) throw validation(`Invalid property type: ${String(type)}`);
  if (!allowed.includes(String(fieldType))) throw validation(`${String(fieldType)} is not a valid field type for a property of type ${String(type)}`);
}

/** Creates a custom property; throws what HubSpot answers for duplicates and bad definitions. */
export function createProperty(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, body: Input): PropertyDef {
  const schema = portal.schemas[kind];
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw validation(`Invalid property name: ${String(name)}. Use lowercase letters, digits and underscores, starting with a letter.`);
  if (schema.properties.has(name)) throw conflict(`Property named '${name}' already exists.`);
  if (name.startsWith('hs_')) throw validation(`Property names starting with hs_ are reserved: ${name}`);
  if (typeof body.label !== 'string' || !body.label) throw validation('label is required');
  checkTypes(body.type, body.fieldType);
  const groupName = String(body.groupName ?? '');
  if (!schema.groups.get(groupName) || schema.groups.get(groupName)!.archived) throw validation(`Property group ${groupName} does not exist.`);
  let options = parseOptions(body.options);
  if (body.type === 'bool' && !options.length) {
    options = [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }];
  }
  const at = ctx.now();
  const def: PropertyDef = {
    name, label: body.label, type: String(body.type), fieldType: String(body.fieldType), groupName,
    description: typeof body.description === 'string' ? body.description : '',
    options,
    displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
    hidden: body.hidden === true,
    formField: body.formField === true,
    hasUniqueValue: body.hasUniqueValue === true,
    calculated: false,
    externalOptions: body.externalOptions === true,
    hubspotDefined: false,
    referencedObjectType: typeof body.referencedObjectType === 'string' ? body.referencedObjectType : undefined,
    readOnlyValue: false, readOnlyDefinition: false, archivable: true,
    createdAt: at, updatedAt: at, archived: false,
  };
  schema.properties.set(name, def);
  ctx.touched();
  return def;
}

export function createGroup(ctx: EmulatorContext, portal: Portal, kind: ObjectKind, body: Input) {
  const schema = portal.schemas[kind];
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw validation(`Invalid property group name: ${String(name)}`);
  if (schema.groups.has(name)) throw conflict(`Property group named '${name}' already exists.`);
  if (typeof body.label !== 'string' || !body.label) throw validation('label is required');
  const group = { name, label: body.label, displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1, archived: false, hubspotDefined: false };
  schema.groups.set(name, group);
  ctx.touched();
  return group;
}

const groupJson = (g: { name: string; label: string; displayOrder: number; archived: boolean }) => ({ name: g.name, label: g.label, displayOrder: g.displayOrder, archived: g.archived });

export function registerPropertyRoutes(api: Hono<HsEnv>, ctx: EmulatorContext): void {
  const base = '/crm/v3/properties/:objectType';

  api.get(`${base}/groups`, (c) => {
    const kind = kindParam(c);
    requireScopes(c, readScopes(kind));
    const groups = [...authedPortal(ctx, c).schemas[kind].groups.values()].filter((g) => !g.archived);
    return c.json({ results: groups.map(groupJson) });
  });

  api.post(`${base}/groups`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    return c.json(groupJson(createGroup(ctx, authedPortal(ctx, c), kind, await jsonBody(c))), 201);
  });

  api.get(`${base}/groups/:groupName`, (c) => {
    const kind = kindParam(c);
    requireScopes(c, readScopes(kind));
    const g = authedPortal(ctx, c).schemas[kind].groups.get(c.req.param('groupName'));
    if (!g || g.archived) throw notFound(`Unable to find property group ${c.req.param('groupName')}`);
    return c.json(groupJson(g));
  });

  api.patch(`${base}/groups/:groupName`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const g = authedPortal(ctx, c).schemas[kind].groups.get(c.req.param('groupName'));
    if (!g || g.archived) throw notFound(`Unable to find property group ${c.req.param('groupName')}`);
    const body = await jsonBody(c);
    if (typeof body.label === 'string') g.label = body.label;
    if (typeof body.displayOrder === 'number') g.displayOrder = body.displayOrder;
    ctx.touched();
    return c.json(groupJson(g));
  });

  api.delete(`${base}/groups/:groupName`, (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const schema = authedPortal(ctx, c).schemas[kind];
    const name = c.req.param('groupName');
    const g = schema.groups.get(name);
    if (!g || g.archived) throw notFound(`Unable to find property group ${name}`);
    if (g.hubspotDefined) throw validation(`${name} is a HubSpot defined property group and cannot be deleted.`);
    if ([...schema.properties.values()].some((p) => p.groupName === name && !p.archived)) {
      throw validation(`Property group ${name} still contains properties; move or delete them first.`);
    }
    schema.groups.delete(name);
    ctx.touched();
    return c.body(null, 204);
  });

  api.post(`${base}/batch/create`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const startedAt = ctx.iso();
    const inputs = assertBatchSize((await jsonBody(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      try {
        results.push(propertyJson(portal, kind, createProperty(ctx, portal, kind, input)));
      } catch (e) {
        if (!(e instanceof HsError)) throw e;
        errors.push(standardError(e.category, e.message, { name: [String(input.name)] }));
      }
    }
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: ctx.iso() };
    if (errors.length) Object.assign(body, { numErrors: errors.length, errors });
    return c.json(body, errors.length ? 207 : 201);
  });

  api.post(`${base}/batch/read`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, readScopes(kind));
    const startedAt = ctx.iso();
    const body = await jsonBody(c);
    const inputs = assertBatchSize(body.inputs) as Input[];
    const portal = authedPortal(ctx, c);
    const archived = body.archived === true;
    const found: unknown[] = [];
    const missing: string[] = [];
    for (const i of inputs) {
      const def = portal.schemas[kind].properties.get(String(i.name));
      if (def && def.archived === archived) found.push(propertyJson(portal, kind, def));
      else missing.push(String(i.name));
    }
    const out: Record<string, unknown> = { status: 'COMPLETE', results: found, startedAt, completedAt: ctx.iso() };
    if (missing.length) Object.assign(out, { numErrors: 1, errors: [standardError('OBJECT_NOT_FOUND', 'Some properties do not exist.', { names: missing })] });
    return c.json(out, missing.length ? 207 : 200);
  });

  api.post(`${base}/batch/archive`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const inputs = assertBatchSize((await jsonBody(c)).inputs) as Input[];
    const portal = authedPortal(ctx, c);
    for (const i of inputs) {
      const def = portal.schemas[kind].live(String(i.name));
      if (def?.archivable) Object.assign(def, { archived: true, archivedAt: ctx.now(), updatedAt: ctx.now() });
    }
    ctx.touched();
    return c.body(null, 204);
  });

  api.get(base, (c) => {
    const kind = kindParam(c);
    requireScopes(c, readScopes(kind));
    const portal = authedPortal(ctx, c);
    const archived = c.req.query('archived') === 'true';
    const only = c.req.queries('properties')?.flatMap((p) => p.split(','));
    const defs = [...portal.schemas[kind].properties.values()].filter((d) => d.archived === archived && (!only?.length || only.includes(d.name)));
    return c.json({ results: defs.map((d) => propertyJson(portal, kind, d)) });
  });

  api.post(base, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const portal = authedPortal(ctx, c);
    return c.json(propertyJson(portal, kind, createProperty(ctx, portal, kind, await jsonBody(c))), 201);
  });

  api.get(`${base}/:propertyName`, (c) => {
    const kind = kindParam(c);
    requireScopes(c, readScopes(kind));
    const portal = authedPortal(ctx, c);
    const def = portal.schemas[kind].properties.get(c.req.param('propertyName'));
    if (!def || def.archived !== (c.req.query('archived') === 'true')) throw notFound(`Unable to find property ${c.req.param('propertyName')}`);
    return c.json(propertyJson(portal, kind, def));
  });

  api.patch(`${base}/:propertyName`, async (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const portal = authedPortal(ctx, c);
    const def = portal.schemas[kind].live(c.req.param('propertyName'));
    if (!def) throw notFound(`Unable to find property ${c.req.param('propertyName')}`);
    if (def.readOnlyDefinition) throw validation(`${def.name} is a HubSpot defined property and its definition cannot be modified.`);
    const body = await jsonBody(c);
    if (body.type !== undefined || body.fieldType !== undefined) checkTypes(body.type ?? def.type, body.fieldType ?? def.fieldType);
    if (body.groupName !== undefined && !portal.schemas[kind].groups.get(String(body.groupName))) throw validation(`Property group ${String(body.groupName)} does not exist.`);
    for (const key of ['label', 'description', 'groupName', 'type', 'fieldType'] as const) if (typeof body[key] === 'string') def[key] = body[key] as string;
    for (const key of ['hidden', 'formField'] as const) if (typeof body[key] === 'boolean') def[key] = body[key] as boolean;
    if (typeof body.displayOrder === 'number') def.displayOrder = body.displayOrder;
    if (body.options !== undefined) def.options = parseOptions(body.options);
    def.updatedAt = ctx.now();
    ctx.touched();
    return c.json(propertyJson(portal, kind, def));
  });

  api.delete(`${base}/:propertyName`, (c) => {
    const kind = kindParam(c);
    requireScopes(c, writeScopes(kind));
    const def = authedPortal(ctx, c).schemas[kind].live(c.req.param('propertyName'));
    if (!def) throw notFound(`Unable to find property ${c.req.param('propertyName')}`);
    if (!def.archivable) throw validation(`${def.name} is a HubSpot defined property and cannot be deleted.`);
    Object.assign(def, { archived: true, archivedAt: ctx.now(), updatedAt: ctx.now() });
    ctx.touched();
    return c.body(null, 204);
  });
}
