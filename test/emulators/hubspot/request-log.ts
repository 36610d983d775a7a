// Every call the app made to the emulated HubSpot, so tests can assert on exactly what was called and
// count the API budget a feature spends. Admin (/__emulator) traffic is not logged.

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  portalId?: number;
  appId?: number;
  status: number;
  /** Emulator clock when the request arrived. */
  at: number;
  durationMs: number;
}

export interface RequestLogFilter {
  method?: string;
  /** Exact path, a prefix ending in '*', or a RegExp. */
  path?: string | RegExp;
  portalId?: number;
  appId?: number;
  status?: number | ((status: number) => boolean);
  since?: number;
}

export function matches(e: RequestLogEntry, f: RequestLogFilter): boolean {
  if (f.method && e.method !== f.method.toUpperCase()) return false;
  if (f.path !== undefined) {
    if (f.path instanceof RegExp) {
      if (!f.path.test(e.path)) return false;
    } else if (f.path.endsWith('*')) {
      if (!e.path.startsWith(f.path.slice(0, -1))) return false;
    } else if (e.path !== f.path) return false;
  }
  if (f.portalId !== undefined && e.portalId !== f.portalId) return false;
  if (f.appId !== undefined && e.appId !== f.appId) return false;
  if (typeof f.status === 'number' && e.status !== f.status) return false;
  if (typeof f.status === 'function' && !f.status(e.status)) return false;
  if (f.since !== undefined && e.at < f.since) return false;
  return true;
}

export class RequestLog {
  private items: RequestLogEntry[] = [];

  constructor(private enabled: boolean, private readonly maxEntries = 200_000) {}

  add(e: RequestLogEntry): void {
    if (!this.enabled) return;
    this.items.push(e);
    // A long sandbox session must not grow without bound; tests never get near this.
    if (this.items.length > this.maxEntries) this.items.splice(0, this.items.length - this.maxEntries);
  }

  entries(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.items.filter((e) => matches(e, filter));
  }

  count(filter: RequestLogFilter = {}): number {
    let n = 0;
    for (const e of this.items) if (matches(e, filter)) n++;
    return n;
  }

  clear(): void {
    this.items = [];
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
  }
}
