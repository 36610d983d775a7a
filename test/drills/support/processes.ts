import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../server/db/embedded.ts';

// Real Refcard processes for the drills: `npm start` and `npm run worker`, run as ONE node process
// each (`node --import tsx`, not the tsx CLI, which would put the server in a child that a kill -9
// of the parent leaves running). kill9() is a real SIGKILL: no shutdown hook, no graceful stop,
// the socket and the database connections die with the process.

export interface RefcardProcess {
  role: 'web' | 'worker';
  pid: number;
  port: number;
  url: string;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  /** SIGKILL, then wait until the process is gone */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), then wait */
  stop(): Promise<void>;
  alive(): boolean;
}

const live = new Set<ChildProcess>();
// A drill that fails half-way must not leave servers behind.
process.once('exit', () => {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

const MAX_OUTPUT = 32 * 1024 * 1024;

/** Starts `server/main.ts` (role web) or `server/worker-main.ts` (role worker) and waits until it says it is ready. */
export async function startRefcardProcess(opts: { role: 'web' | 'worker'; env: Record<string, string>; port?: number; workers?: boolean; timeoutMs?: number }): Promise<RefcardProcess> {
  const port = opts.port ?? (opts.env.PORT ? Number(opts.env.PORT) : await freePort());
  const script = opts.role === 'web' ? 'server/main.ts' : 'server/worker-main.ts';
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...opts.env, PORT: String(port), RUN_WORKERS: String(opts.workers ?? opts.role === 'worker') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  const keep = (d: Buffer) => {
    if (out.length < MAX_OUTPUT) out += d.toString('utf8');
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    }),
  );
  const marker = opts.role === 'web' ? 'Refcard is ready' : 'Refcard worker ready';
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (!out.includes(marker)) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${script} exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${script} was not ready within ${(opts.timeoutMs ?? 90_000) / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    role: opts.role,
    pid: proc.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    alive: () => !gone(),
    async kill9() {
      if (gone()) return;
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export { freePort };
