import { createHmac } from 'node:crypto';
import { prebuilt, runLoad, type LoadResult } from '../lib/load.ts';
import { measuringCpu, percentBusy } from '../lib/cpu.ts';
import { result, type BenchResult } from '../lib/results.ts';
import { hubspotV3Signature } from '../../server/platform/signatures.ts';
import type { BenchEnv, ServerProcess } from '../lib/env.ts';
import type { SeededProgram } from '../lib/seed.ts';

const CONNECTIONS = 50;
const SECONDS = 10;
/** More than a run sends (warm-up included) at twice the throughput measured so far. */
export const PREBUILT = 60_000;

export function cardRequest(env: BenchEnv, seeded: SeededProgram, i: number) {
  const n = 1 + ((i * 7919) % seeded.referrers);
  const path = `/hubspot/card?contactId=${seeded.contactBase + n}&userId=1&userEmail=rep%40bench.test&associatedObjectId=${seeded.contactBase + n}&associatedObjectType=CONTACT&portalId=${env.portalId}&appId=${env.hubspotApp.appId}`;
  const ts = String(Date.now());
  const sig = hubspotV3Signature(env.hubspotApp.clientSecret, 'GET', env.env.PUBLIC_URL + path, '', ts);
  return { method: 'GET', path, headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts } };
}

export function canvasRequest(env: BenchEnv, seeded: SeededProgram, i: number) {
  const n = 1 + ((i * 7919) % seeded.referrers);
  const body = JSON.stringify({
    workspace_id: env.workspaceId,
    workspace_region: 'US',
    admin: { type: 'admin', id: '1', name: 'Agent', email: 'agent@bench.test' },
    contact: { type: 'contact', id: String(seeded.contactBase + n), role: 'user', email: `referrer${n}@bench.test`, name: `Ref Errer ${n}` },
    conversation: { type: 'conversation', id: String(9000 + n) },
    context: { conversation_id: 9000 + n, location: 'conversation', locale: 'en' },
    card_creation_options: {},
  });
  const sig = createHmac('sha256', env.intercomApp.clientSecret).update(body).digest('hex');
  return { method: 'POST', path: '/intercom/canvas/initialize', body, headers: { 'content-type': 'application/json', 'x-body-signature': sig } };
}

/** Card and canvas throughput and latency against the same server's /healthz, measured in one run. */
export async function readPaths(env: BenchEnv, server: ServerProcess, seeded: SeededProgram): Promise<BenchResult[]> {
  const health = await runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2, request: () => ({ method: 'GET', path: '/healthz' }) });
  const cards = prebuilt(PREBUILT, (i) => cardRequest(env, seeded, i));
  const card = await measuringCpu(() => runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2, request: cards }));
  const canvases = prebuilt(PREBUILT, (i) => canvasRequest(env, seeded, i));
  const canvas = await measuringCpu(() => runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2, request: canvases }));
  const errs = (r: LoadResult & { cpuBusy: number }) => (r.errors ? `${r.errors} errors: ${JSON.stringify(r.statuses)}` : `${r.requests} requests, healthz ${Math.round(health.rps)}/s, ${percentBusy(r.cpuBusy)}`);
  return [
    result('card.p50_ms', card.p50, 'ms', '< 25', errs(card)),
    result('card.p99_ms', card.errors ? NaN : card.p99, 'ms', '< 25', errs(card)),
    result('card.rps', card.rps, 'req/s', '> 0'),
    result('card.rps_ratio_to_healthz', card.rps / health.rps, 'ratio', '>= 0.4'),
    result('canvas.p50_ms', canvas.p50, 'ms', '< 25', errs(canvas)),
    result('canvas.p99_ms', canvas.errors ? NaN : canvas.p99, 'ms', '< 25', errs(canvas)),
    result('canvas.rps', canvas.rps, 'req/s', '> 0'),
    result('canvas.rps_ratio_to_healthz', canvas.rps / health.rps, 'ratio', '>= 0.4'),
  ];
}
