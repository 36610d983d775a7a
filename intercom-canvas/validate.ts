// Checks a response body against Intercom's own Canvas Kit schema plus the rules the schema
// does not encode (size limits, unique ids, inbox-only actions, option counts). Tests use it on
// every rendered canvas; the server can use it before answering.

import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import schema from './canvas-kit.schema.json' with { type: 'json' };
import { CANVAS_MAX_BYTES, jsonBytes } from './limits.ts';

export type CanvasResponseKind = 'initialize' | 'submit';

export interface CanvasValidation {
  ok: boolean;
  errors: string[];
}

let validators: Record<CanvasResponseKind, ValidateFunction> | null = null;

function schemaValidators(): Record<CanvasResponseKind, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Intercom's OpenAPI uses two formats of its own; they constrain nothing.
  ajv.addFormat('timestamp', true);
  ajv.addFormat('float', true);
  ajv.addSchema(schema);
  const get = (name: string) => {
    const validate = ajv.getSchema(`${schema.$id}#/$defs/${name}`);
    if (!validate) throw new Error(`canvas-kit.schema.json has no $defs/${name}`);
    return validate;
  };
  validators = { initialize: get('initialize_response'), submit: get('submit_response') };
  return validators;
}

export function validateCanvasResponse(kind: CanvasResponseKind, body: unknown): CanvasValidation {
  const errors: string[] = [];
  const validate = schemaValidators()[kind];
  if (!validate(body)) {
    for (const e of validate.errors ?? []) errors.push(`schema: ${e.instancePath || '/'} ${e.message ?? ''}`.trim());
  }
  const canvas = (body as { canvas?: unknown } | null)?.canvas;
  if (canvas && typeof canvas === 'object') errors.push(...canvasRuleErrors(canvas as Record<string, unknown>));
  return { ok: errors.length === 0, errors };
}

/** The inbox rules that Intercom documents in prose only. */
function canvasRuleErrors(canvas: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if ('content_url' in canvas) errors.push('content_url (live canvas) is Messenger-only');
  if (canvas.content !== undefined && jsonBytes(canvas.content) > CANVAS_MAX_BYTES) {
    errors.push(`content is ${jsonBytes(canvas.content)} bytes (max ${CANVAS_MAX_BYTES})`);
  }
  if (canvas.stored_data !== undefined && jsonBytes(canvas.stored_data) > CANVAS_MAX_BYTES) {
    errors.push(`stored_data is ${jsonBytes(canvas.stored_data)} bytes (max ${CANVAS_MAX_BYTES})`);
  }
  const components = (canvas.content as { components?: unknown } | undefined)?.components;
  if (!Array.isArray(components)) return errors;

  // Submit requests name the clicked component or list item by id, so ids share one namespace.
  const ids = new Set<string>();
  const claim = (id: unknown, where: string) => {
    if (typeof id !== 'string') return;
    if (ids.has(id)) errors.push(`duplicate id "${id}" (${where})`);
    ids.add(id);
  };
  components.forEach((component: Record<string, unknown>, i) => {
    if (!component || typeof component !== 'object') return;
    const where = `components[${i}] ${String(component.type)}`;
    claim(component.id, where);
    checkAction(component.action, where, errors);
    if (component.type === 'list' && Array.isArray(component.items)) {
      component.items.forEach((item: Record<string, unknown>, j) => {
        claim(item?.id, `${where} items[${j}]`);
        checkAction(item?.action, `${where} items[${j}]`, errors);
        if (item && 'image' in item) errors.push(`${where} items[${j}]: list items with images fail the vendor schema's oneOf`);
      });
    }
    if ((component.type === 'single-select' || component.type === 'dropdown') && Array.isArray(component.options)) {
      const n = component.options.length;
      if (n < 2 || n > 10) errors.push(`${where}: ${n} options (Intercom takes 2 to 10)`);
      const optionIds = component.options.map((o: { id?: unknown }) => o?.id);
      if (new Set(optionIds).size !== optionIds.length) errors.push(`${where}: duplicate option ids`);
      if (component.value !== undefined && !optionIds.includes(component.value)) errors.push(`${where}: value is not one of the options`);
    }
  });
  return errors;
}

function checkAction(action: unknown, where: string, errors: string[]): void {
  if (!action || typeof action !== 'object') return;
  const { type, url } = action as { type?: unknown; url?: unknown };
  if (type === 'sheet') errors.push(`${where}: sheet actions are Messenger-only`);
  if (type === 'url' && (typeof url !== 'string' || !/^https?:\/\//i.test(url))) errors.push(`${where}: url action needs an http(s) URL`);
}
