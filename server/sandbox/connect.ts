import type { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { sessions } from '../db/schema.ts';
import { randomToken, sha256Hex } from '../platform/crypto.ts';
import type { Provider } from '../platform/connections.ts';

/**
 * Connects the demo account exactly as an admin would: signed in, they click Connect, approve on
 * the provider's consent page and land back on our callback. Only the clicking is automated; every
 * route and check of the real install runs.
 */
export async function connectThroughInstall(
  ctx: AppContext,
  app: Hono,
  accountId: string,
  provider: Provider,
  approve: (consentUrl: string) => Promise<Response>,
): Promise<void> {
  const sessionId = randomToken(32);
  await ctx.db.insert(sessions).values({
    idHash: sha256Hex(sessionId),
    accountId,
    user: { provider, id: 'sandbox', email: 'admin@refcard-demo.test', name: 'Sandbox admin' },
    csrfToken: randomToken(24),
    expiresAt: new Date(Date.now() + 10 * 60 * 1000),
  });
  const jar = new Map<string, string>([['rc_session', sessionId]]);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (k && v !== undefined) jar.set(k.trim(), v.trim());
    }
  };

  const start = await app.request(`/oauth/${provider}/install`, { headers: { cookie: cookie() } });
  keep(start);
  const consent = start.headers.get('location');
  if (start.status !== 302 || !consent) throw new Error(`sandbox: /oauth/${provider}/install answered ${start.status}`);
  const approved = await approve(consent);
  const back = approved.headers.get('location');
  if (approved.status !== 302 || !back) throw new Error(`sandbox: the ${provider} emulator's consent answered ${approved.status}: ${await approved.text()}`);
  const callback = new URL(back);
  const done = await app.request(`${callback.pathname}${callback.search}`, { headers: { cookie: cookie() } });
  if (done.status >= 400) throw new Error(`sandbox: the ${provider} install callback answered ${done.status}: ${await done.text()}`);
}
