import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Checks what the real SDK returned against its own generated models: every attribute in the
// model's attributeTypeMap has the declared type, and every attribute the generated .d.ts declares
// without `?` is present. This is how the contract tests know a client built on the SDK will get
// what it expects from the emulator.

const require = createRequire(import.meta.url);
const CODEGEN = join(dirname(require.resolve('@hubspot/api-client/package.json')), 'lib', 'codegen');

export type ModelApi =
  | 'crm/contacts' | 'crm/deals' | 'crm/properties' | 'crm/lists' | 'crm/associations/v4'
  | 'crm/pipelines' | 'crm/owners' | 'oauth';

/**
 * Where HubSpot's wire format and its generated models disagree, the wire wins (the emulator must
 * be indistinguishable from HubSpot, not from the model): v4 association ids are JSON numbers.
 */
const WIRE_DEVIATIONS: Record<string, string> = {
  'MultiAssociatedObjectWithLabel.toObjectId': 'number',
  'LabelsBetweenObjectPair.fromObjectId': 'number',
  'LabelsBetweenObjectPair.toObjectId': 'number',
};

interface Attr {
  name: string;
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attr[] };

const modules = new Map<string, Record<string, unknown>>();
function models(api: ModelApi): Record<string, unknown> {
  let m = modules.get(api);
  if (!m) modules.set(api, (m = require(join(CODEGEN, api, 'models', 'all.js')) as Record<string, unknown>));
  return m;
}

const requiredCache = new Map<string, Set<string>>();
function requiredAttrs(api: ModelApi, type: string): Set<string> {
  const key = `${api}:${type}`;
  let set = requiredCache.get(key);
  if (!set) {
    const dts = readFileSync(join(CODEGEN, api, 'models', `${type}.d.ts`), 'utf8');
    const body = dts.slice(dts.indexOf(`export declare class ${type}`), dts.indexOf('static readonly discriminator'));
    set = new Set([...body.matchAll(/^\s+'(\w+)':/gm)].map((m) => m[1]));
    requiredCache.set(key, set);
  }
  return set;
}

function splitUnion(type: string): string[] {
  // Only top-level unions ("string | null"); generics in this codegen never contain '|'.
  return type.includes('<') || type.startsWith('{') ? [type] : type.split('|').map((s) => s.trim());
}

function check(api: ModelApi, value: unknown, type: string, path: string, out: string[]): void {
  const alternatives = splitUnion(type);
  if (alternatives.length > 1) {
    const attempts = alternatives.map((t) => {
      const o: string[] = [];
      check(api, value, t, path, o);
      return o;
    });
    if (!attempts.some((a) => a.length === 0)) out.push(`${path}: ${JSON.stringify(value)} is none of ${type}`);
    return;
  }
  if (type === 'any') return;
  if (type === 'null') {
    if (value !== null) out.push(`${path}: expected null`);
    return;
  }
  if (type === 'string' || type === 'number' || type === 'boolean') {
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) out.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
    return;
  }
  if (type === 'Date') {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) out.push(`${path}: expected a valid Date, got ${String(value)}`);
    return;
  }
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array`);
    else value.forEach((v, i) => check(api, v, arr[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!value || typeof value !== 'object') out.push(`${path}: expected an object map`);
    else for (const [k, v] of Object.entries(value)) check(api, v, map[1], `${path}.${k}`, out);
    return;
  }
  const ref = models(api)[type];
  // oneOf unions (e.g. list filter branches) have only a `…Class` marker and no attribute map.
  if (ref === undefined && models(api)[`${type}Class`] !== undefined) return;
  if (ref === undefined) {
    out.push(`${path}: unknown model type ${type}`);
    return;
  }
  if (typeof ref !== 'function') {
    // An enum: a plain object of allowed values.
    if (!Object.values(ref as object).includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not a ${type}`);
    return;
  }
  if (!value || typeof value !== 'object') {
    out.push(`${path}: expected a ${type} object`);
    return;
  }
  const required = requiredAttrs(api, type);
  for (const attr of (ref as unknown as ModelClass).getAttributeTypeMap()) {
    const v = (value as Record<string, unknown>)[attr.name];
    const p = `${path}.${attr.name}`;
    if (v === undefined || v === null) {
      if (required.has(attr.name) && !(v === null && splitUnion(attr.type).includes('null'))) out.push(`${p}: required by ${type} but ${String(v)}`);
      continue;
    }
    check(api, v, WIRE_DEVIATIONS[`${type}.${attr.name}`] ?? attr.type, p, out);
  }
}

export function modelProblems(value: unknown, api: ModelApi, type: string): string[] {
  const out: string[] = [];
  check(api, value, type, type, out);
  return out;
}

/** Throws listing every mismatch between `value` (as the SDK returned it) and the SDK model. */
export function expectModel(value: unknown, api: ModelApi, type: string): void {
  const problems = modelProblems(value, api, type);
  if (problems.length) throw new Error(`Response does not match ${api} ${type}:\n  ${problems.join('\n  ')}`);
}
