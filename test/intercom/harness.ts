import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createIntercomEmulator, type CanvasResult, type IntercomEmulator, type IntercomEmulatorOptions } from '../emulators/intercom/index.ts';
import { validateCanvasResponse } from '../../intercom-canvas/index.ts';
import { connections, type Connection } from '../../server/db/schema.ts';

// An app on its own database and an Intercom emulator wired together as in production: the
// emulator delivers webhooks and Canvas Kit calls into the app, the app calls the emulator's API
// over HTTP on 127.0.0.1 with the real intercom-client.

export const ALL_TOPICS = [
  'contact.user.created',
  'contact.lead.created',
  'contact.lead.signed_up',
  'contact.user.tag.created',
  'contact.lead.tag.created',
  'contact.user.updated',
  'contact.lead.updated',
];

export interface Harness {
  t: TestApp;
  emu: IntercomEmulator;
  clientId: string;
  clientSecret: string;
  apiBase: string;
  stop(): Promise<void>;
}

export async function startHarness(opts: { workers?: boolean; topics?: string[]; emulator?: IntercomEmulatorOptions } = {}): Promise<Harness> {
  const emu = createIntercomEmulator({ webhookRetryDelaysMs: [300], ...opts.emulator });
  const apiBase = await emu.listen();
  const clientId = `refcard-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');
  const t = await startTestApp({
    workers: opts.workers ?? true,
    env: { INTERCOM_CLIENT_ID: clientId, INTERCOM_CLIENT_SECRET: clientSecret, INTERCOM_API_BASE: apiBase, INTERCOM_AUTH_BASE: apiBase },
  });
  emu.setOutboundFetch(async (input, init) => t.app.fetch(new Request(input, init)));
  const pub = t.config.publicUrl;
  emu.registerApp({
    clientId,
    clientSecret,
    name: 'Refcard',
    redirectUrls: [`${pub}/oauth/intercom/callback`],
    initializeUrl: `${pub}/intercom/canvas/initialize`,
    submitUrl: `${pub}/intercom/canvas/submit`,
    webhookUrl: `${pub}/intercom/webhooks`,
    topics: opts.topics ?? ALL_TOPICS,
  });
  await emu.webhooks.settle();
  return {
    t,
    emu,
    clientId,
    clientSecret,
    apiBase,
    async stop() {
      await emu.close();
      await t.stop();
    },
  };
}

export interface InstallOutcome {
  status: number;
  location: string | null;
  body: string;
  cookies: Map<string, string>;
}

/**
 * An admin installing from the browser: our install URL, Intercom's consent page (the admin picks
 * the workspace and clicks "Authorize access"), back to our callback with the OAuth cookie.
 */
export async function installThroughOAuth(h: Harness, workspaceId: string, opts: { query?: string; cookies?: Map<string, string> } = {}): Promise<InstallOutcome> {
  const jar = opts.cookies ?? new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = c.split(';')[0]!.split('=');
      if (k && v !== undefined) jar.set(k.trim(), v.trim());
    }
  };
  const start = await h.t.app.request(`/oauth/intercom/install${opts.query ?? ''}`, { headers: { cookie: cookie() } });
  keep(start);
  expect(start.status).toBe(302);
  const consentUrl = new URL(start.headers.get('location')!);
  expect(consentUrl.origin + consentUrl.pathname).toBe(`${h.apiBase}/oauth`);

  const consent = await fetch(consentUrl);
  const form = hiddenInputs(await consent.text());
  const adminId = h.emu.workspace(workspaceId).admins[0]!.id;
  const approved = await fetch(`${h.apiBase}/oauth/approve`, {
    method: 'POST',
    body: new URLSearchParams({ ...form, workspace: `${workspaceId}:${adminId}`, decision: 'approve' }),
    redirect: 'manual',
  });
  expect(approved.status).toBe(302);
  const back = new URL(approved.headers.get('location')!);
  const done = await h.t.app.request(`${back.pathname}${back.search}`, { headers: { cookie: cookie() } });
  keep(done);
  return { status: done.status, location: done.headers.get('location'), body: await done.text(), cookies: jar };
}

function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
  return out;
}

export async function connectionOf(h: Harness, workspaceId: string): Promise<Connection> {
  const [c] = await h.t.ctx.db.select().from(connections).where(and(eq(connections.provider, 'intercom'), eq(connections.externalId, workspaceId)));
  if (!c) throw new Error(`no connection for workspace ${workspaceId}`);
  return c;
}

/** Every canvas the app answers must be one the inbox renders, and valid against Intercom's schema. */
export function expectValidCanvas(result: CanvasResult): CanvasResult {
  expect(result.errors).toEqual([]);
  expect(result.shown).toBe('canvas');
  expect(validateCanvasResponse(result.kind, result.response)).toEqual({ ok: true, errors: [] });
  return result;
}

/** All visible text of a canvas, for assertions a person would make reading it. */
export function canvasText(result: CanvasResult): string {
  const parts: string[] = [];
  for (const c of result.canvas?.content?.components ?? []) {
    for (const key of ['text', 'label']) if (typeof c[key] === 'string') parts.push(c[key] as string);
    if (Array.isArray(c.items)) for (const i of c.items as Record<string, unknown>[]) parts.push(...['field', 'value', 'title', 'subtitle', 'tertiary_text'].map((k) => i[k]).filter((v): v is string => typeof v === 'string'));
    if (Array.isArray(c.options)) for (const o of c.options as { text: string }[]) parts.push(o.text);
  }
  return parts.join('\n');
}
