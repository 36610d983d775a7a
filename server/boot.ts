import { join } from 'node:path';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { createDb } from './db/client.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { runMigrations } from './db/migrate.ts';
import { startJobs } from './jobs/jobs.ts';
import { jobHandlers } from './jobs/handlers.ts';
import { createLogger, type Logger } from './log.ts';
import { registerGauge } from './http/metrics.ts';
import { QUEUES } from './jobs/queues.ts';

/**
 * Read connections per process. Measured on the bench machine (two cores, 50 cards in flight): 3,189
 * cards/s with 2, 2,877 with 4, 2,692 with 10; more connections only wake PostgreSQL more often.
 */
const READ_POOL = 2;

export interface Booted {
  ctx: AppContext;
  databaseUrl: string;
  stop: () => Promise<void>;
}

/**
 * Database (embedded unless DATABASE_URL), migrations, the job system and, if asked, workers.
 * Shared by `npm start`, `npm run worker` and the tests.
 */
export async function boot(config: Config, opts: { workers: boolean; log?: Logger; databaseUrl?: string; poolMax?: number }): Promise<Booted> {
  const log = opts.log ?? createLogger(config.logLevel);
  let databaseUrl = opts.databaseUrl ?? config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), port: config.embeddedPostgresPort, persistent: true });
    databaseUrl = pg.url('postgres');
    stopEmbedded = pg.stop;
    log.info({ dir: join(config.dataDir, 'postgres') }, 'embedded PostgreSQL started');
  }
  await runMigrations(databaseUrl);
  const { db, close } = createDb(databaseUrl, { max: opts.poolMax ?? 10 });
  const reads = createDb(databaseUrl, { max: READ_POOL });
  const jobs = await startJobs(databaseUrl, log);
  const ctx: AppContext = { config, db, reads: reads.db, jobs, log, now: () => new Date() };
  if (opts.workers) {
    await jobs.work(jobHandlers(ctx));
    // Ongoing syncs and token upkeep run on one schedule; pg-boss keeps it single across processes.
    await jobs.boss.schedule(QUEUES.tick, '* * * * *');
  }
  registerGauge('refcard_jobs', async () => {
    const out: Record<string, number> = {};
    for (const q of Object.values(QUEUES)) {
      const s = await jobs.boss.getQueue(q);
      if (s) {
        out[`queue="${q}",state="queued"`] = s.queuedCount ?? 0;
        out[`queue="${q}",state="active"`] = s.activeCount ?? 0;
        out[`queue="${q}",state="deferred"`] = s.deferredCount ?? 0;
      }
    }
    return out;
  });
  return {
    ctx,
    databaseUrl,
    async stop() {
      await jobs.stop().catch((err) => log.warn({ err }, 'stopping jobs'));
      await close();
      await reads.close();
      await stopEmbedded?.();
    },
  };
}
