import type { Portal } from './state.ts';
import type { ObjectKind, PropertyDef } from './types.ts';
import type { PropertyValueError } from './errors.ts';

// Validation and normalisation of property values on writes, the way HubSpot answers them:
// every problem in the request is collected, then the whole write fails with one 400.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface WriteCheck {
  values: Record<string, string>;
  errors: PropertyValueError[];
}

/** Coerces JSON primitives to HubSpot's string values; null clears a property (""). */
function asString(v: unknown): string | undefined {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function normaliseDate(def: PropertyDef, raw: string): string | undefined {
  if (raw === '') return '';
  const ms = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return def.type === 'date' ? iso.slice(0, 10) : iso;
}

function checkOne(portal: Portal, kind: ObjectKind, def: PropertyDef, raw: string, current: Record<string, string>, incoming: Record<string, unknown>): { value?: string; error?: PropertyValueError } {
  const name = def.name;
  const fail = (error: string, message: string) => ({ error: { name, error, message } });
  if (def.readOnlyValue || def.calculated) return fail('READ_ONLY_VALUE', `${name} is a read only property; its value cannot be set.`);
  if (raw === '') return { value: '' };
  switch (def.type) {
    case 'number':
      return Number.isFinite(Number(raw)) && raw.trim() !== ''
        ? { value: raw.trim() }
        : fail('INVALID_INTEGER', `${raw} was not a valid number.`);
    case 'bool':
      return raw === 'true' || raw === 'false' ? { value: raw } : fail('INVALID_BOOLEAN', `${raw} was not a valid boolean.`);
    case 'date':
    case 'datetime': {
      const value = normaliseDate(def, raw);
      return value === undefined ? fail('INVALID_DATE', `${raw} was not a valid date.`) : { value };
    }
    case 'enumeration': {
      if (kind === 'deals' && name === 'pipeline') {
        return portal.pipelines.some((p) => p.id === raw) ? { value: raw } : fail('INVALID_OPTION', `${raw} was not one of the allowed options.`);
      }
      if (kind === 'deals' && name === 'dealstage') {
        const pipeline = asString(incoming.pipeline) || current.pipeline || 'default';
        return portal.stage(pipeline, raw)
          ? { value: raw }
          : fail('INVALID_OPTION', `${raw} was not one of the allowed options for pipeline ${pipeline}.`);
      }
      if (def.externalOptions) return { value: raw };
      const allowed = new Set(def.options.map((o) => o.value));
      const parts = def.fieldType === 'checkbox' ? raw.split(';') : [raw];
      const bad = parts.find((p) => !allowed.has(p));
      return bad === undefined ? { value: raw } : fail('INVALID_OPTION', `${bad} was not one of the allowed options: [${[...allowed].join(', ')}]`);
    }
    default:
      // the answer HubSpot's changelog shows for a value that breaks an admin's validation rule
      if (def.lettersOnly && !/^\p{L}+$/u.test(raw)) return fail('INVALID_ALPHA', 'Enter only letters');
      if (kind === 'contacts' && name === 'email' && !EMAIL.test(raw.trim())) {
        return fail('INVALID_EMAIL', `Email address ${raw} is invalid`);
      }
      return { value: kind === 'contacts' && name === 'email' ? raw.trim() : raw };
  }
}

/**
 * Validates the `properties` of one write. `current` is the record's present values (empty on
 * create), needed because a deal stage is only valid within its pipeline.
 */
export function checkWrite(portal: Portal, kind: ObjectKind, input: unknown, current: Record<string, string> = {}): WriteCheck {
  const values: Record<string, string> = {};
  const errors: PropertyValueError[] = [];
  const incoming = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const schema = portal.schemas[kind];
  for (const [name, rawValue] of Object.entries(incoming)) {
    const def = schema.live(name);
    if (!def) {
      errors.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    const raw = asString(rawValue);
    if (raw === undefined) {
      errors.push({ name, error: 'INVALID_VALUE', message: `${JSON.stringify(rawValue)} is not a valid value for ${name}.` });
      continue;
    }
    // createdate may be backfilled on create (imports do); otherwise it is HubSpot's to set.
    if (name === 'createdate') {
      const v = normaliseDate(def, raw);
      if (v === undefined) errors.push({ name, error: 'INVALID_DATE', message: `${raw} was not a valid date.` });
      else values[name] = v;
      continue;
    }
    const r = checkOne(portal, kind, def, raw, current, incoming);
    if (r.error) errors.push(r.error);
    else values[name] = r.value!;
  }
  return { values, errors };
}
