// Shared plumbing for the REST route modules: the per-request context the auth middleware puts
// on Hono's context, and lenient JSON body reading (the real API is lenient on input).
import type { Context } from 'hono';
import { badRequest } from './errors.ts';
import type { InstallRec, Store, WorkspaceRec } from './state.ts';
import type { Emulation } from './settings.ts';

export interface ApiCtx {
  store: Store;
  settings: Emulation;
  ws: WorkspaceRec;
  install: InstallRec;
  requestId: string;
  version: string;
}

export type ApiEnv = { Variables: { api: ApiCtx } };

export const api = (c: Context<ApiEnv>): ApiCtx => c.get('api');

export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
}

export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
