// Every REST call the emulator answered, for assertions like "the sync made 667 calls" or
// "no request went out with a version other than 2.14".

export interface RequestLogEntry {
  requestId: string;
  method: string;
  path: string;
  query: string;
  /** Workspace id_code the token belongs to; null when unauthenticated. */
  workspace: string | null;
  clientId: string | null;
  status: number;
  /** The Intercom-Version the call asked for (2.14 when the header was absent). */
  version: string;
  at: number;
  durationMs: number;
  /** Set when the answer was an injected fault ('drop', 'timeout', or the status). */
  fault?: string;
}

export type RequestFilter =
  | ((e: RequestLogEntry) => boolean)
  | { method?: string; path?: string | RegExp; status?: number; workspace?: string; clientId?: string };

const MAX_ENTRIES = 500_000;

const toPredicate = (f?: RequestFilter): ((e: RequestLogEntry) => boolean) => {
  if (!f) return () => true;
  if (typeof f === 'function') return f;
  return (e) =>
    (!f.method || e.method === f.method.toUpperCase()) &&
    (f.path === undefined || (f.path instanceof RegExp ? f.path.test(e.path) : e.path === f.path)) &&
    (f.status === undefined || e.status === f.status) &&
    (f.workspace === undefined || e.workspace === f.workspace) &&
    (f.clientId === undefined || e.clientId === f.clientId);
};

export class RequestLog {
  private list: RequestLogEntry[] = [];

  add(e: RequestLogEntry): void {
    this.list.push(e);
    if (this.list.length > MAX_ENTRIES) this.list.splice(0, this.list.length - MAX_ENTRIES);
  }

  entries(filter?: RequestFilter): RequestLogEntry[] {
    return this.list.filter(toPredicate(filter));
  }

  count(filter?: RequestFilter): number {
    const p = toPredicate(filter);
    let n = 0;
    for (const e of this.list) if (p(e)) n++;
    return n;
  }

  clear(): void {
    this.list = [];
  }
}
