// What can go wrong talking to HubSpot, sorted by what the caller should do about it: a
// HubspotApiError is HubSpot refusing this request (fix the request, don't retry it as is); a
// HubspotUnavailable is HubSpot being busy or unreachable (retry later, via the job's back-off).

export interface HubspotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  policyName?: string;
  errors?: { message?: string; code?: string; context?: Record<string, unknown> }[];
  context?: Record<string, unknown>;
}

export class HubspotApiError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly body: HubspotErrorBody | null,
  ) {
    super(`HubSpot refused ${what}: ${status}${body?.category ? ` ${body.category}` : ''}${body?.message ? ` — ${body.message.slice(0, 300)}` : ''}`);
  }

  get category(): string | undefined {
    return this.body?.category;
  }
}

export class HubspotUnavailable extends Error {}

/** The SDK's ApiException, duck-typed (each generated API module has its own class). */
export interface SdkError {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

export function isSdkError(err: unknown): err is SdkError {
  return !!err && typeof err === 'object' && typeof (err as SdkError).code === 'number' && 'body' in err;
}

export function errorBody(raw: unknown): HubspotErrorBody | null {
  if (raw && typeof raw === 'object') return raw as HubspotErrorBody;
  if (typeof raw === 'string') {
    try {
      const parsed = JSON.parse(raw);
      return parsed && typeof parsed === 'object' ? parsed : { message: raw };
    } catch {
      return { message: raw };
    }
  }
  return null;
}

/**
 * The property names a 400 on a write blames: HubSpot lists them in `errors[].context.propertyName`
 * and, for clients that grep, as a JSON array inside `message` ("Property values were not valid: [...]").
 */
export function blamedProperties(err: HubspotApiError): Blamed[] {
  if (err.status !== 400 || !err.body) return [];
  const out = new Map<string, Blamed>();
  for (const e of err.body.errors ?? []) {
    const names = e.context?.propertyName;
    if (Array.isArray(names)) for (const n of names) if (typeof n === 'string') out.set(n, { name: n, code: e.code ?? 'INVALID', message: e.message ?? '' });
  }
  const m = /Property values were not valid: (\[.*\])\s*$/s.exec(err.body.message ?? '');
  if (m) {
    try {
      for (const e of JSON.parse(m[1]!) as { name?: unknown; error?: unknown; message?: unknown }[]) {
        if (typeof e.name === 'string' && !out.has(e.name)) {
          out.set(e.name, { name: e.name, code: typeof e.error === 'string' ? e.error : 'INVALID', message: typeof e.message === 'string' ? e.message : '' });
        }
      }
    } catch {
      // not the documented shape: nothing more to learn from the message
    }
  }
  return [...out.values()];
}

/** A property a refused write blames, with HubSpot's code (PROPERTY_DOESNT_EXIST, INVALID_OPTION, …) and words. */
export interface Blamed {
  name: string;
  code: string;
  message: string;
}

/** Ids a 207 batch answer reports as missing (deleted or merged away contacts). */
export function missingIds(errors: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(errors)) return out;
  for (const e of errors as { category?: string; context?: { ids?: unknown } }[]) {
    if (e.category !== 'OBJECT_NOT_FOUND') continue;
    if (Array.isArray(e.context?.ids)) for (const id of e.context.ids) out.add(String(id));
  }
  return out;
}
