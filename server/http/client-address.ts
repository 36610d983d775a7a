import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The address to rate-limit by. The leftmost X-Forwarded-For entry is whatever the client wrote, so
 * it is never trusted; behind a proxy (TRUST_PROXY=true) the rightmost entry is the one the proxy
 * itself saw. Otherwise the socket's peer address.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'in-process';
  }
}
