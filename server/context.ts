import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Jobs } from './jobs/jobs.ts';
import type { Logger } from './log.ts';
import type { Sandbox } from './sandbox/start.ts';

/** What every route and job needs; built once per process and passed down explicitly. */
export interface AppContext {
  config: Config;
  db: Db;
  /**
   * A pool of its own, of two connections, for the one-statement reads behind every card and
   * canvas. Transactions (webhook drains, syncs) cannot starve it, and with fewer connections
   * than requests in flight postgres.js pipelines them, so PostgreSQL wakes once for several.
   * Only single statements belong here: nothing on it may wait for another connection.
   */
  reads: Db;
  jobs: Jobs;
  log: Logger;
  now: () => Date;
  /** sandbox mode only: the in-process emulators and the demo account, set once seeded */
  sandbox?: Sandbox;
}
