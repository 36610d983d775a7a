import type { Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HsError, validation } from './errors.ts';
import type { Portal } from './state.ts';
import type { EmulatorContext } from './context.ts';

// Hono plumbing shared by the route modules.

export interface AuthInfo {
  token: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
}

export type HsEnv = {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  /** arrivedAt: the emulator clock when the request arrived; the request log and the rate limiter both use it */
  Variables: { auth: AuthInfo; logAppId?: number; logPortalId?: number; bodyText?: string; arrivedAt: number };
};

export type HsContext = Context<HsEnv>;

export async function jsonBody<T = Record<string, unknown>>(c: HsContext): Promise<T> {
  const text = await c.req.text();
  if (!text.trim()) throw validation('Invalid input JSON: empty body');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw validation(`Invalid input JSON on line 1: ${(e as Error).message}`);
  }
}

/** Ids in CRM paths are positive integers; anything else cannot exist. */
export function parseId(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

export function queryInt(c: HsContext, name: string, fallback: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw validation(`${name} must be a non-negative integer`);
  return n;
}

export function queryBool(c: HsContext, name: string): boolean {
  return c.req.query(name) === 'true';
}

/** Scopes are "any of": HubSpot accepts several scopes for many endpoints. */
export function requireScopes(c: HsContext, anyOf: string[]): void {
  const granted = c.get('auth').scopes;
  if (anyOf.some((s) => granted.includes(s))) return;
  throw new HsError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call.",
    { errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: anyOf } }] },
  );
}

export function authedPortal(ctx: EmulatorContext, c: HsContext): Portal {
  return ctx.portal(c.get('auth').portalId);
}

export function baseUrl(c: HsContext): string {
  return new URL(c.req.url).origin;
}

/** HubSpot refuses batches over 100 inputs before looking at them. */
export function assertBatchSize(inputs: unknown, max = 100): unknown[] {
  if (!Array.isArray(inputs)) throw validation('inputs must be an array');
  if (inputs.length > max) throw validation(`Too many inputs: ${inputs.length}. The maximum is ${max}.`);
  return inputs;
}
