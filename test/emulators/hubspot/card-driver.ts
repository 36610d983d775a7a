import type { EmulatorContext } from './context.ts';
import { signedHeaders } from './signing.ts';

// Simulates a CRM card calling our backend through `hubspot.fetch`: HubSpot's proxy checks the
// origin against permittedUrls.fetch, appends identity query parameters, signs the final URL (v3),
// enforces 1 MB each way and the timeout, retries once on a connection error or 5xx, and refuses
// more than 20 concurrent requests per app and portal with a 429.

export const DEFAULT_IDENTITY_PARAMS = ['userId', 'userEmail', 'associatedObjectId', 'associatedObjectType', 'portalId', 'appId'];
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_CONCURRENT = 20;

export interface CardFetchInput {
  appId: number;
  portalId: number;
  userId: number;
  userEmail: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  body?: Record<string, unknown>;
  /** ms; default 15 000, at most 120 000. */
  timeout?: number;
  /** The record the card is shown on. */
  associatedObjectId?: number | string;
  associatedObjectType?: string;
  /** Overrides the app's identity parameter names for this call ([] appends none). */
  identityParams?: string[];
  /** Legacy signature sent beside v3 (which version HubSpot sends here is unverified). */
  legacySignatureVersion?: 'v1' | 'v2';
}

export interface CardFetchResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json?: unknown;
  /** The URL that was signed (after identity parameters were appended). */
  url: string;
  attempts: number;
}

export type CardFetchErrorCode =
  | 'UNKNOWN_APP' | 'NOT_INSTALLED' | 'ORIGIN_NOT_PERMITTED' | 'INVALID_TIMEOUT'
  | 'REQUEST_TOO_LARGE' | 'RESPONSE_TOO_LARGE' | 'TIMEOUT' | 'NETWORK_ERROR';

/** What the card's `hubspot.fetch` promise would reject with. */
export class CardFetchError extends Error {
  constructor(readonly code: CardFetchErrorCode, message: string) {
    super(message);
  }
}

export interface CardFetchLogEntry {
  at: number;
  appId: number;
  portalId: number;
  method: string;
  url: string;
  status?: number;
  error?: CardFetchErrorCode;
  attempts: number;
}

export class CardDriver {
  readonly log: CardFetchLogEntry[] = [];
  private inFlight = new Map<string, number>();

  constructor(private readonly ctx: EmulatorContext) {}

  async fetch(input: CardFetchInput): Promise<CardFetchResult> {
    const method = input.method ?? 'GET';
    const entry: CardFetchLogEntry = { at: this.ctx.now(), appId: input.appId, portalId: input.portalId, method, url: input.url, attempts: 0 };
    this.log.push(entry);
    try {
      const r = await this.run(input, method, entry);
      entry.status = r.status;
      return r;
    } catch (e) {
      if (e instanceof CardFetchError) entry.error = e.code;
      throw e;
    }
  }

  private async run(input: CardFetchInput, method: string, entry: CardFetchLogEntry): Promise<CardFetchResult> {
    const app = this.ctx.state.app(input.appId);
    if (!app) throw new CardFetchError('UNKNOWN_APP', `No app ${input.appId}`);
    if (!this.ctx.state.installation(app.appId, input.portalId)) {
      throw new CardFetchError('NOT_INSTALLED', `App ${app.appId} is not installed in portal ${input.portalId}`);
    }
    const url = new URL(input.url);
    if (!app.permittedFetchOrigins.includes(url.origin)) {
      throw new CardFetchError('ORIGIN_NOT_PERMITTED', `${url.origin} is not in the app's permitted fetch URLs`);
    }
    const timeout = input.timeout ?? 15_000;
    if (!(timeout > 0 && timeout <= 120_000)) throw new CardFetchError('INVALID_TIMEOUT', `timeout must be between 1 and 120000 ms, got ${timeout}`);
    const identity: Record<string, string | undefined> = {
      userId: String(input.userId), userEmail: input.userEmail,
      associatedObjectId: input.associatedObjectId === undefined ? undefined : String(input.associatedObjectId),
      associatedObjectType: input.associatedObjectId === undefined ? undefined : (input.associatedObjectType ?? 'CONTACT'),
      portalId: String(input.portalId), appId: String(app.appId),
    };
    for (const name of input.identityParams ?? app.cardIdentityParams ?? DEFAULT_IDENTITY_PARAMS) {
      const v = identity[name];
      if (v !== undefined) url.searchParams.append(name, v);
    }
    const body = input.body === undefined ? '' : JSON.stringify(input.body);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new CardFetchError('REQUEST_TOO_LARGE', 'Request body exceeds 1 MB');

    const key = `${app.appId}:${input.portalId}`;
    const busy = this.inFlight.get(key) ?? 0;
    if (busy >= MAX_CONCURRENT) {
      return { status: 429, headers: { 'content-type': 'application/json' }, text: '{"message":"Too many concurrent requests"}', json: { message: 'Too many concurrent requests' }, url: url.toString(), attempts: 0 };
    }
    this.inFlight.set(key, busy + 1);
    const signedUrl = url.toString();
    const proxied = app.fetchProxy?.[url.origin];
    const target = proxied ? proxied.replace(/\/$/, '') + url.pathname + url.search : signedUrl;
    try {
      for (let attempt = 1; ; attempt++) {
        entry.attempts = attempt;
        const headers: Record<string, string> = {
          Accept: 'application/json',
          'User-Agent': 'HubSpot-Fetch (emulated)',
          ...signedHeaders({ secret: app.clientSecret, method, uri: signedUrl, body, timestamp: this.ctx.signingNow(), legacyVersion: input.legacySignatureVersion ?? 'v2' }),
        };
        if (body) headers['Content-Type'] = 'application/json';
        let res: Response;
        try {
          res = await this.send(target, method, headers, body, timeout);
        } catch (e) {
          if (e instanceof CardFetchError && e.code === 'NETWORK_ERROR' && attempt === 1) continue;
          throw e;
        }
        if (res.status >= 500 && attempt === 1) {
          await res.arrayBuffer().catch(() => undefined);
          continue;
        }
        return await this.read(res, signedUrl, attempt);
      }
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }

  private async send(url: string, method: string, headers: Record<string, string>, body: string, timeout: number): Promise<Response> {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new CardFetchError('TIMEOUT', `No answer within ${timeout} ms`));
      }, timeout);
    });
    try {
      const req = new Request(url, { method, headers, body: body || undefined, signal: abort.signal });
      return await Promise.race([
        this.ctx.outboundFetch(req).catch((e: unknown) => {
          if (e instanceof CardFetchError) throw e;
          throw new CardFetchError('NETWORK_ERROR', (e as Error).message);
        }),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(res: Response, url: string, attempts: number): Promise<CardFetchResult> {
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.byteLength > MAX_BODY_BYTES) throw new CardFetchError('RESPONSE_TOO_LARGE', 'Response body exceeds 1 MB');
    const text = buf.toString('utf8');
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers, text, json, url, attempts };
  }
}
