// Test helper: an emulator with one workspace, the Refcard app installed, and an SDK client
// wired to it in-process. Also a tiny recording receiver standing in for our server.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { IntercomClient } from 'intercom-client';
import { createIntercomEmulator, type IntercomEmulator, type IntercomEmulatorOptions, type WorkspaceFixture, type SeedResult } from './index.ts';

export const CLIENT_ID = 'refcard-test-client';
export const CLIENT_SECRET = 'refcard-test-secret';
export const REDIRECT = 'http://127.0.0.1:3999/oauth/intercom/callback';

export interface Harness {
  emu: IntercomEmulator;
  idCode: string;
  adminId: string;
  token: string;
  client: IntercomClient;
  seed: SeedResult;
  /** A client with other options (e.g. retries) on the same token. */
  clientWith(opts: Partial<ConstructorParameters<typeof IntercomClient>[0]>): IntercomClient;
}

export function harness(opts: IntercomEmulatorOptions & { fixture?: WorkspaceFixture; idCode?: string } = {}): Harness {
  const emu = createIntercomEmulator(opts);
  const ws = emu.createWorkspace({ idCode: opts.idCode ?? 'acme0001', name: 'Acme', admins: [{ name: 'Ada Admin', email: 'ada@acme.example.test' }] });
  emu.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrls: [REDIRECT] });
  const { accessToken } = emu.installApp(CLIENT_ID, ws.idCode);
  const seed = emu.seedWorkspace(ws.idCode, opts.fixture ?? {});
  const clientWith = (o: Partial<ConstructorParameters<typeof IntercomClient>[0]>) =>
    new IntercomClient({ token: accessToken, baseUrl: emu.url, fetch: emu.fetch, maxRetries: 0, ...o });
  return { emu, idCode: ws.idCode, adminId: ws.admins[0].id, token: accessToken, client: clientWith({}), seed, clientWith };
}

export interface Received { method: string; path: string; headers: Record<string, string>; body: string }

/** An HTTP server on 127.0.0.1 that records requests and answers via `respond`. */
export async function receiver(respond: (r: Received) => Response | Promise<Response> = () => new Response('ok')) {
  const received: Received[] = [];
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (req) => {
        const r: Received = { method: req.method, path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers), body: await req.text() };
        received.push(r);
        return respond(r);
      },
    }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
