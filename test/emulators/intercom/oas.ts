// Test helper: validates response bodies against Intercom's OpenAPI 2.14 description.
// The vendor schemas mark almost nothing `required`, so a body missing half its fields would
// pass them as written. To be strict on output shape we require every declared property,
// except the few that Intercom itself omits (listed in OPTIONAL with the reason).
import { readFileSync } from 'node:fs';
import AjvImport, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import YAML from 'yaml';

const interop = <T>(m: T): T => ((m as { default?: T }).default ?? m);
const Ajv = interop(AjvImport);
const addFormats = interop(addFormatsImport);

const SPEC_URL = new URL('./spec/api.intercom.io.2.14.yaml', import.meta.url);

/** Property paths (component.prop, `[]` = array items) that may be absent. */
const OPTIONAL = new Set([
  'cursor_pages.next', // omitted on the last page — the SDK stops paging only then
  'starting_after_paging.per_page', // the request variant of the same object never sends it
  'segment.count', // only with include_count=true
  'segment_list.pages',
  'tag.applied_at', 'tag.applied_by', // only when the tag is attached to something
  'data_attribute.id', 'data_attribute.options', 'data_attribute.created_at', 'data_attribute.updated_at',
  'data_attribute.admin_id', // standard attributes have none of these
  'error.errors[].field', 'error.errors[].message',
]);

type Schema = Record<string, unknown>;

function convert(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, path));
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'example' || k === 'examples' || k === 'nullable' || k.startsWith('x-') || k === 'discriminator' || k === 'description') continue;
    if (k === '$ref') out.$ref = `oas#/definitions/${String(v).split('/').pop()}`;
    else if (k === 'properties') {
      const props: Schema = {};
      for (const [p, s] of Object.entries(v as Schema)) props[p] = convert(s, `${path}.${p}`);
      out.properties = props;
    } else if (k === 'items') out.items = convert(v, `${path}[]`);
    else if (k === 'additionalProperties' && typeof v === 'object') out.additionalProperties = convert(v, `${path}{}`);
    else out[k] = convert(v, path);
  }
  if (out.properties) {
    const all = Object.keys(out.properties as Schema).filter((p) => !OPTIONAL.has(`${path}.${p}`));
    out.required = [...new Set([...((out.required as string[]) ?? []), ...all])];
  }
  let result: Schema = out;
  // $ref siblings are ignored by draft-07; keep them by moving both into allOf.
  if (out.$ref && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    result = { allOf: [{ $ref }, rest] };
  }
  if (src.nullable === true) {
    if (typeof result.type === 'string' && !result.$ref && !result.allOf) {
      result = { ...result, type: [result.type, 'null'] };
      if (Array.isArray(result.enum)) result.enum = [...new Set([...(result.enum as unknown[]), null])];
    } else {
      result = { anyOf: [result, { type: 'null' }] };
    }
  }
  return result;
}

export interface SpecCheck { ok: boolean; errors: string[] }

export class IntercomSpec {
  private readonly doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    const doc = YAML.parse(readFileSync(SPEC_URL, 'utf8')) as { components: { schemas: Schema }; paths: IntercomSpec['doc']['paths'] };
    this.doc = doc;
    addFormats(this.ajv);
    // The spec puts `format: uri` on relative paths and even on `type` fields; accept any token.
    this.ajv.addFormat('uri', /^\S*$/);
    this.ajv.addFormat('timestamp', true);
    this.ajv.addFormat('float', true);
    this.ajv.addFormat('int', true);
    const definitions: Schema = {};
    for (const [name, s] of Object.entries(doc.components.schemas)) definitions[name] = convert(s, name);
    this.ajv.addSchema({ $id: 'oas', definitions });
  }

  /** The converted response schema of `method path` for `status`. */
  private validator(method: string, path: string, status: number): ValidateFunction {
    const key = `${method} ${path} ${status}`;
    let v = this.cache.get(key);
    if (v) return v;
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`No operation ${method} ${path} in the 2.14 spec`);
    const schema = op.responses[String(status)]?.content?.['application/json']?.schema
      ?? (status >= 400 ? { $ref: '#/components/schemas/error' } : undefined);
    if (!schema) throw new Error(`No JSON response ${status} for ${method} ${path} in the 2.14 spec`);
    v = this.ajv.compile(convert(schema, `${method} ${path}`) as Schema);
    this.cache.set(key, v);
    return v;
  }

  check(method: string, path: string, status: number, body: unknown): SpecCheck {
    const v = this.validator(method, path, status);
    if (v(body)) return { ok: true, errors: [] };
    return { ok: false, errors: (v.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`) };
  }

  /** Throws with the schema errors when `body` is not a valid `status` answer of `method path`. */
  expect(method: string, path: string, status: number, body: unknown): void {
    const r = this.check(method, path, status, body);
    if (!r.ok) throw new Error(`${method} ${path} → ${status} does not match the 2.14 schema:\n  ${r.errors.slice(0, 15).join('\n  ')}`);
  }
}

let shared: IntercomSpec | undefined;
export const intercomSpec = (): IntercomSpec => (shared ??= new IntercomSpec());
