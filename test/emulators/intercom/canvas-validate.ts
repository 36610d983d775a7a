// Checks a canvas the way the Intercom inbox would accept it: the vendor's Canvas Kit JSON
// schema, plus the rules the schema cannot express (64 KB limits, unique ids, no Messenger-only
// features in an inbox app).
import { readFileSync } from 'node:fs';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// Both packages are CommonJS; depending on the loader the class sits on `.default` or not.
const interop = <T>(m: T): T => ((m as { default?: T }).default ?? m);
const Ajv2020 = interop(Ajv2020Import);
const addFormats = interop(addFormatsImport);

const SCHEMA_URL = new URL('../../../intercom-canvas/canvas-kit.schema.json', import.meta.url);
const SCHEMA_ID = 'urn:intercom-openapi:2.11:canvas-kit';

/** Intercom's documented limit for `content`, `content_url` and `stored_data`, each serialized. */
export const CANVAS_LIMIT_BYTES = 64 * 1024;

export type CanvasKind = 'initialize' | 'submit';
export interface CanvasValidation { ok: boolean; errors: string[] }

const COMPONENT_DEFS: Record<string, string> = {
  button: 'button_component', checkbox: 'checkbox_component', dropdown: 'dropdown_component', input: 'input_component',
  list: 'list_component', 'single-select': 'single_select_component', textarea: 'text_area_component',
  'data-table': 'data_table_component', divider: 'divider_component', image: 'image_component',
  spacer: 'spacer_component', text: 'text_component',
};

const compilers = new Map<boolean, InstanceType<typeof Ajv2020>>();
/**
 * Strict mode for responses (the canvas definitions compile cleanly); lax for request bodies,
 * whose vendor definitions are not strict-clean (e.g. `conversation` requires an undeclared
 * `topics`, some `required` lists sit on schemas without `type`).
 */
function compiler(strict: boolean): InstanceType<typeof Ajv2020> {
  const cached = compilers.get(strict);
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { $defs: Record<string, Record<string, unknown>> };
  // Vendor quirk (see shared/specs/README.md): an item with an image matches both list-item
  // variants and fails `oneOf`, though Intercom accepts it. Make the variants exclusive.
  const without = schema.$defs.list_item_without_image;
  without.allOf = [...(without.allOf as unknown[]), { not: { type: 'object', required: ['image'] } }];
  if (!strict) {
    // 2.11 types these conversation fields as objects; 2.14 marks them nullable and its captured
    // examples carry null — what the REST API (and so the inbox) really sends.
    const props = schema.$defs.conversation.properties as Record<string, Record<string, unknown>>;
    for (const f of ['conversation_rating', 'first_contact_reply', 'statistics']) props[f] = { anyOf: [props[f], { type: 'null' }] };
  }
  const instance = new Ajv2020({ strict, allErrors: true });
  addFormats(instance);
  // The vendor puts `format: uri` on the relative list urls (`/contacts/<id>/tags`) it returns.
  if (!strict) instance.addFormat('uri', /^\S+$/);
  instance.addFormat('timestamp', true);
  instance.addFormat('float', true);
  instance.addSchema(schema);
  compilers.set(strict, instance);
  return instance;
}

function validator(def: string, strict = true): ValidateFunction {
  const v = compiler(strict).getSchema(`${SCHEMA_ID}#/$defs/${def}`);
  if (!v) throw new Error(`Canvas Kit schema has no $defs/${def}`);
  return v;
}

const describe = (errors: ErrorObject[] | null | undefined, prefix: string): string[] =>
  [...new Set((errors ?? []).map((e) => `${prefix}${e.instancePath} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`))].slice(0, 20);

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

interface Walked { path: string; node: Record<string, unknown> }
/** Every component, list item and action in the canvas, with its JSON path. */
function walk(components: unknown[]): { components: Walked[]; items: Walked[]; actions: Walked[] } {
  const out = { components: [] as Walked[], items: [] as Walked[], actions: [] as Walked[] };
  components.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) return;
    const node = c as Record<string, unknown>;
    const path = `/canvas/content/components/${i}`;
    out.components.push({ path, node });
    if (node.action && typeof node.action === 'object') out.actions.push({ path: `${path}/action`, node: node.action as Record<string, unknown> });
    if (node.type === 'list' && Array.isArray(node.items)) {
      node.items.forEach((it, j) => {
        if (typeof it !== 'object' || it === null) return;
        const item = it as Record<string, unknown>;
        out.items.push({ path: `${path}/items/${j}`, node: item });
        if (item.action && typeof item.action === 'object') out.actions.push({ path: `${path}/items/${j}/action`, node: item.action as Record<string, unknown> });
      });
    }
  });
  return out;
}

/** Validates an initialize or submit response body for an inbox (conversation details) app. */
export function validateCanvasResponse(body: unknown, kind: CanvasKind = 'initialize'): CanvasValidation {
  const errors: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: ['response body is not a JSON object'] };
  const canvas = (body as { canvas?: Record<string, unknown> }).canvas;
  const components = (canvas?.content as { components?: unknown } | undefined)?.components;
  if (Array.isArray(components)) {
    const { components: comps, items, actions } = walk(components);
    for (const { path, node } of comps) {
      const def = COMPONENT_DEFS[String(node.type)];
      if (!def) { errors.push(`${path} has unknown component type ${JSON.stringify(node.type)}`); continue; }
      const v = validator(def);
      if (!v(node)) errors.push(...describe(v.errors, path));
    }
    const seen = new Map<string, string>();
    for (const { path, node } of [...comps, ...items]) {
      if (typeof node.id !== 'string') continue;
      const first = seen.get(node.id);
      if (first) errors.push(`${path} reuses id "${node.id}" (first used at ${first}); ids must be unique in a canvas`);
      else seen.set(node.id, path);
    }
    for (const { path, node } of actions) {
      if (node.type === 'sheet') errors.push(`${path} is a sheet action; sheets are Messenger-only and not usable in inbox apps`);
    }
  }
  if (canvas && 'content_url' in canvas) errors.push('/canvas/content_url is a live canvas; inbox apps must return static content');
  if (canvas?.content !== undefined && bytes(canvas.content) > CANVAS_LIMIT_BYTES) {
    errors.push(`/canvas/content is ${bytes(canvas.content)} bytes; the limit is ${CANVAS_LIMIT_BYTES}`);
  }
  if (canvas?.stored_data !== undefined && bytes(canvas.stored_data) > CANVAS_LIMIT_BYTES) {
    errors.push(`/canvas/stored_data is ${bytes(canvas.stored_data)} bytes; the limit is ${CANVAS_LIMIT_BYTES}`);
  }
  // Whole-body schema last; its component errors repeat the precise ones above as oneOf noise.
  const whole = validator(kind === 'initialize' ? 'initialize_response' : 'submit_response');
  if (!whole(body) && errors.length === 0) errors.push(...describe(whole.errors, ''));
  return { ok: errors.length === 0, errors };
}

/** Validates a request body the emulator sends (used by tests to keep the driver honest). */
export function validateCanvasRequest(body: unknown, kind: CanvasKind): CanvasValidation {
  const v = validator(kind === 'initialize' ? 'initialize_request' : 'submit_request', false);
  return v(body) ? { ok: true, errors: [] } : { ok: false, errors: describe(v.errors, '') };
}
