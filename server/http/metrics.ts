import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';

// A small Prometheus text exposition: request counts and latency buckets per route pattern (never
// per raw path, so ids and codes do not explode the series), plus gauges the app registers.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const requests = new Map<string, number>();
const durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
const gauges = new Map<string, () => Promise<Record<string, number>>>();

export const httpMetrics = createMiddleware(async (c, next) => {
  const start = performance.now();
  await next();
  const route = routePath(c) || 'unmatched';
  const seconds = (performance.now() - start) / 1000;
  const key = `method="${c.req.method}",route="${route.replace(/"/g, '')}",status="${c.res.status}"`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
  const dkey = `method="${c.req.method}",route="${route.replace(/"/g, '')}"`;
  const d = durations.get(dkey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
  BUCKETS.forEach((b, i) => seconds <= b && d.buckets[i]!++);
  d.sum += seconds;
  d.count++;
  durations.set(dkey, d);
});

/** `collect` returns label-set → value, e.g. { 'queue="crm.push",state="queued"': 3 }. */
export function registerGauge(name: string, collect: () => Promise<Record<string, number>>) {
  gauges.set(name, collect);
}

export async function renderMetrics(): Promise<string> {
  const lines: string[] = ['# TYPE refcard_http_requests_total counter'];
  for (const [k, v] of requests) lines.push(`refcard_http_requests_total{${k}} ${v}`);
  lines.push('# TYPE refcard_http_request_duration_seconds histogram');
  for (const [k, d] of durations) {
    BUCKETS.forEach((b, i) => lines.push(`refcard_http_request_duration_seconds_bucket{${k},le="${b}"} ${d.buckets[i]}`));
    lines.push(`refcard_http_request_duration_seconds_bucket{${k},le="+Inf"} ${d.count}`);
    lines.push(`refcard_http_request_duration_seconds_sum{${k}} ${d.sum}`, `refcard_http_request_duration_seconds_count{${k}} ${d.count}`);
  }
  for (const [name, collect] of gauges) {
    lines.push(`# TYPE ${name} gauge`);
    try {
      for (const [labels, v] of Object.entries(await collect())) lines.push(`${name}{${labels}} ${v}`);
    } catch {
      /* a gauge whose source is down is left out rather than failing the scrape */
    }
  }
  return lines.join('\n') + '\n';
}
