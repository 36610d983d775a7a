// Test helpers: a fake Refcard server behind a spy on hubspot.fetch (which the testing library
// does not mock: unmocked, it throws "self is not defined").
import { hubspot } from '@hubspot/ui-extensions';
import { vi } from 'vitest';

export interface FetchCall {
  url: URL;
  method: string;
  body: Record<string, unknown> | undefined;
}

type Init = { method?: string; body?: Record<string, unknown>; timeout?: number } | undefined;
export type Handler = (call: FetchCall) => Response | Promise<Response>;

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const problem = (status: number, fields: { title?: string; detail?: string } = {}) =>
  new Response(JSON.stringify({ type: 'about:blank', status, ...fields }), { status, headers: { 'content-type': 'application/problem+json' } });

/** Routes every hubspot.fetch to `handler`; returns the spy and the calls seen so far. */
export function fakeServer(handler: Handler) {
  const calls: FetchCall[] = [];
  const spy = vi.spyOn(hubspot, 'fetch').mockImplementation(async (url, init?: Init) => {
    const call = { url: new URL(String(url)), method: init?.method ?? 'GET', body: init?.body };
    calls.push(call);
    return handler(call);
  });
  return { spy, calls };
}

/** A promise whose resolution the test controls (to hold a request in flight). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface AnyNode {
  nodeType: string;
  text?: string | null;
  childNodes?: AnyNode[];
}

/** All text under a node, space-joined (a node's own `.text` is null when it has element children). */
export function textOf(node: AnyNode): string {
  if (node.nodeType === 'text') return node.text ?? '';
  return (node.childNodes ?? []).map(textOf).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Fires a component's onChange with a value. (`trigger`'s typing asks for the handler's own type
 * as the argument; at run time it passes the value to the handler, as the docs show.)
 */
export function change(node: { trigger: (name: 'onChange', arg?: never) => void }, value: string): void {
  (node.trigger as (name: 'onChange', arg: unknown) => void)('onChange', value);
}
