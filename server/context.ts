import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Jobs } from './jobs/jobs.ts';
import type { Logger } from './log.ts';

/** What every route and job needs; built once per process and passed down explicitly. */
export interface AppContext {
  config: Config;
  db: Db;
  jobs: Jobs;
  log: Logger;
  now: () => Date;
}
