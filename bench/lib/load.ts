import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<number, number>;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Closed-loop load: `connections` keep-alive sockets, each sending its next request as soon as the
 * previous answer arrives, for `seconds`. Latency is measured per request from write to last byte.
 * Uses node:http directly: on two cores a heavier client would measure itself.
 */
export async function runLoad(opts: { url: string; connections: number; seconds: number; request: (i: number) => RequestSpec; warmupSeconds?: number }): Promise<LoadResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  if (opts.warmupSeconds) await loop(opts.warmupSeconds, () => {});
  const tally = createTally();
  await loop(opts.seconds, tally.record);
  agent.destroy();
  return tally.result();

  async function loop(seconds: number, record: (ms: number, status: number) => void) {
    const deadline = performance.now() + seconds * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (performance.now() < deadline) {
          const spec = opts.request(n++);
          const t0 = performance.now();
          const status = await send(target, agent, spec).catch(() => 0);
          record(performance.now() - t0, status);
        }
      }),
    );
  }
}

/**
 * Open-loop load: requests scheduled at a fixed rate, at most `connections` in flight (as HubSpot
 * delivers webhooks: as events happen, up to ten at once). Latency is counted from the moment a
 * request was due, so time spent waiting for a free connection counts (no coordinated omission).
 */
export async function runPaced(opts: { url: string; connections: number; perSecond: number; seconds: number; request: (i: number) => RequestSpec }): Promise<LoadResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const tally = createTally();
  const total = Math.round(opts.perSecond * opts.seconds);
  const started = performance.now();
  const due = (i: number) => started + (i * 1000) / opts.perSecond;
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (next < total) {
        const i = next++;
        const wait = due(i) - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const status = await send(target, agent, opts.request(i)).catch(() => 0);
        tally.record(performance.now() - due(i), status);
      }
    }),
  );
  agent.destroy();
  return tally.result();
}

/**
 * Requests built before the clock starts. HubSpot and Intercom sign a request on their own
 * machines: signing it in the load generator would take a share of this machine's two cores from
 * the server being measured (about 30 µs a card). `count` should exceed what one run sends; a
 * longer run starts over from the first.
 */
export function prebuilt(count: number, make: (i: number) => RequestSpec): (i: number) => RequestSpec {
  const specs = Array.from({ length: count }, (_, i) => make(i));
  return (i) => specs[i % count]!;
}

/** Latencies and statuses as they come in; the summary over the time since it was created. */
function createTally() {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const started = performance.now();
  return {
    record(ms: number, status: number) {
      latencies.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 0 || status >= 400) errors++;
    },
    result(): LoadResult {
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99), statuses };
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function send(target: URL, agent: http.Agent, spec: RequestSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method: spec.method, path: spec.path, headers: spec.headers, agent },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (spec.body) req.write(spec.body);
    req.end();
  });
}
