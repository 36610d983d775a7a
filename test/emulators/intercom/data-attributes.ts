// Data attributes: the standard ones every workspace has, custom ones apps create, and the
// write-time checks Intercom applies to `custom_attributes` on contacts.
import { Hono } from 'hono';
import { ApiError, invalid } from './errors.ts';
import { api, readJson, type ApiEnv } from './http.ts';
import { queryMentions } from './search-query.ts';
import type { AttrValue, DataAttributeRec, DataType, Role, Store, WorkspaceRec } from './state.ts';

type Std = [name: string, label: string, dataType: DataType, apiWritable: boolean, description: string];

const STANDARD_CONTACT: Std[] = [
  ['name', 'Name', 'string', true, "A person's full name"],
  ['email', 'Email', 'string', true, "A person's email address"],
  ['phone', 'Phone', 'string', true, "A person's phone number"],
  ['external_id', 'User ID', 'string', true, 'A number identifying a user'],
  ['role', 'Role', 'string', false, 'The role of a person: user or lead'],
  ['owner_id', 'Owner', 'integer', true, 'The teammate who owns a person'],
  ['created_at', 'First Seen', 'date', false, 'The first day a person visited your site or app'],
  ['signed_up_at', 'Signed up', 'date', true, 'The day a person first signed up for your product'],
  ['last_seen_at', 'Last seen', 'date', true, 'The last day a person visited your site or app'],
  ['last_contacted_at', 'Last contacted', 'date', false, 'The last day you messaged a person'],
  ['last_replied_at', 'Last heard from', 'date', false, 'The last day a person replied to a message'],
  ['unsubscribed_from_emails', 'Unsubscribed from emails', 'boolean', true, 'Whether a person has unsubscribed from emails'],
  ['language_override', 'Language override', 'string', true, 'The language a person has chosen'],
  ['location.country', 'Country', 'string', false, "A person's country, from their IP"],
  ['location.city', 'City', 'string', false, "A person's city, from their IP"],
];

const STANDARD_COMPANY: Std[] = [
  ['name', 'Company name', 'string', true, 'The name of a company'],
  ['company_id', 'Company ID', 'string', false, 'A number identifying a company'],
  ['remote_created_at', 'Company created at', 'date', true, 'The day a company was added to Intercom'],
  ['user_count', 'People', 'integer', false, 'The number of people in a company'],
  ['size', 'Company size', 'integer', true, 'The number of people employed in this company'],
  ['industry', 'Company industry', 'string', true, 'The category or domain this company belongs to'],
];

export function standardAttributes(): DataAttributeRec[] {
  const make = (model: 'contact' | 'company') => ([name, label, data_type, api_writable, description]: Std): DataAttributeRec => ({
    type: 'data_attribute', model, name, full_name: name, label, description, data_type,
    api_writable, ui_writable: false, messenger_writable: model === 'company', custom: false, archived: false,
  });
  return [...STANDARD_CONTACT.map(make('contact')), ...STANDARD_COMPANY.map(make('company'))];
}

const CREATABLE_TYPES: DataType[] = ['string', 'integer', 'float', 'boolean', 'datetime', 'date', 'options'];
// Intercom's message says "alphanumeric characters, currency symbols, and hyphens", yet its own
// examples use spaces and apps commonly use underscores; accept those, refuse other punctuation.
const NAME_PATTERN = /^[\p{L}\p{N}\p{Sc}_\- ]+$/u;
const dataKind = (model: string) => (model === 'company' ? 'company' : 'people');

export interface CreateAttributeInput {
  name?: unknown; model?: unknown; data_type?: unknown; description?: unknown; options?: unknown; messenger_writable?: unknown;
}

function parseOptions(options: unknown): string[] {
  if (!Array.isArray(options)) throw invalid("Options isn't an array");
  const values = options.map((o) => (typeof o === 'object' && o !== null ? (o as { value?: unknown }).value : o));
  if (values.some((v) => typeof v !== 'string' || v === '')) throw invalid('Each option must have a string value');
  if (values.length < 2) throw invalid('A list attribute needs at least two options');
  return values as string[];
}

export function createDataAttribute(store: Store, ws: WorkspaceRec, input: CreateAttributeInput, adminId?: string): DataAttributeRec {
  const { name, model, data_type } = input;
  if (model !== 'contact' && model !== 'company') throw invalid('The Data Attribute model field must be either contact or company');
  if (typeof name !== 'string' || name.trim() === '') throw invalid("Name can't be blank");
  if (!NAME_PATTERN.test(name)) throw invalid('Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens');
  if (typeof data_type !== 'string' || !CREATABLE_TYPES.includes(data_type as DataType)) throw invalid("Data Type isn't an option");
  const clash = ws.data_attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (clash) {
    throw invalid(`You already have '${name}' in your ${dataKind(clash.model)} data. To save this as new ${dataKind(model)} data, use a different name.`);
  }
  const options = data_type === 'options' ? parseOptions(input.options) : undefined;
  const now = store.nowSeconds();
  const rec: DataAttributeRec = {
    id: store.nextAttributeId(),
    type: 'data_attribute',
    model,
    name,
    full_name: `custom_attributes.${name}`,
    label: name,
    description: typeof input.description === 'string' ? input.description : '',
    data_type: data_type as DataType,
    ...(options ? { options } : {}),
    api_writable: true,
    ui_writable: false,
    messenger_writable: input.messenger_writable === true,
    custom: true,
    archived: false,
    created_at: now,
    updated_at: now,
    admin_id: adminId ?? [...ws.admins.keys()][0] ?? '0',
  };
  ws.data_attributes.push(rec);
  store.touch(ws);
  return rec;
}

export function updateDataAttribute(store: Store, ws: WorkspaceRec, id: string, body: Record<string, unknown>): DataAttributeRec {
  const attr = ws.data_attributes.find((a) => a.custom && String(a.id) === id);
  if (!attr) throw new ApiError(404, 'field_not_found', "We couldn't find that data attribute to update");
  if (body.data_type !== undefined && body.data_type !== attr.data_type) throw invalid("Data Type can't be changed");
  if (body.options !== undefined) attr.options = parseOptions(body.options);
  if (typeof body.description === 'string') attr.description = body.description;
  if (typeof body.messenger_writable === 'boolean') attr.messenger_writable = body.messenger_writable;
  if (body.archived === true && !attr.archived) {
    const inUse = [...ws.segments.values()].some((s) => queryMentions(s.query, attr.full_name));
    if (inUse) throw new ApiError(422, 'data_invalid', 'The Data Attribute you are trying to archive has a dependant object');
    attr.archived = true;
  } else if (body.archived === false) {
    attr.archived = false;
  }
  attr.updated_at = store.nowSeconds();
  store.touch(ws);
  return attr;
}

/** Intercom reports list attributes as strings carrying options, and datetime as date. */
export function renderDataAttribute(a: DataAttributeRec): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  if (a.data_type === 'options') out.data_type = 'string';
  if (a.data_type === 'datetime') out.data_type = 'date';
  return out;
}

export const customAttribute = (ws: WorkspaceRec, name: string): DataAttributeRec | undefined =>
  ws.data_attributes.find((a) => a.custom && a.model === 'contact' && a.name === name);

/**
 * Checks a `custom_attributes` write the way Intercom does: the attribute must exist (and not
 * be archived), the value must fit its type, and leads refuse `null` (intercom-node#215).
 */
export function checkCustomAttributes(ws: WorkspaceRec, role: Role, values: unknown): Record<string, AttrValue> {
  if (values === undefined || values === null) return {};
  if (typeof values !== 'object' || Array.isArray(values)) throw invalid('custom_attributes must be an object', 'custom_attributes');
  const out: Record<string, AttrValue> = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const attr = customAttribute(ws, name);
    if (!attr || attr.archived) throw invalid(`Custom attribute '${name}' does not exist`, `custom_attributes.${name}`);
    if (value === null) {
      if (role === 'lead') throw invalid('Value:  not of type Numeric, String or Boolean', `custom_attributes.${name}`);
      out[name] = null;
      continue;
    }
    if (!fitsType(attr, value)) {
      throw invalid(`Custom attribute '${name}' expects a value of type ${renderDataAttribute(attr).data_type}`, `custom_attributes.${name}`);
    }
    out[name] = value as AttrValue;
  }
  return out;
}

function fitsType(attr: DataAttributeRec, v: unknown): boolean {
  switch (attr.data_type) {
    case 'string': return typeof v === 'string';
    case 'options': return typeof v === 'string' && (v === '' || (attr.options ?? []).includes(v));
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'float': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'date': case 'datetime': return typeof v === 'number' && Number.isInteger(v);
  }
}

export function dataAttributeRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/data_attributes', (c) => {
    const { ws } = api(c);
    const model = c.req.query('model');
    const includeArchived = c.req.query('include_archived') === 'true';
    const data = ws.data_attributes
      .filter((a) => (!model || a.model === model) && (includeArchived || !a.archived))
      .map(renderDataAttribute);
    return c.json({ type: 'list', data });
  });
  r.post('/data_attributes', async (c) => {
    const { store, ws, install } = api(c);
    return c.json(renderDataAttribute(createDataAttribute(store, ws, await readJson(c), install.admin_id)));
  });
  r.put('/data_attributes/:id', async (c) => {
    const { store, ws } = api(c);
    return c.json(renderDataAttribute(updateDataAttribute(store, ws, c.req.param('id'), await readJson(c))));
  });
  return r;
}
