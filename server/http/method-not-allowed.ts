import type { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';

/**
 * The methods a path answers to, for telling "wrong method" (405, with Allow) from "nothing here"
 * (404): a client that PUTs to a route that only takes POST should learn that, not that the route
 * does not exist. Built from the app's routes the first time it is asked, when all are mounted.
 */
export function allowedMethods(app: Hono): (path: string) => string[] {
  let router: TrieRouter<string> | undefined;
  return (path) => {
    if (!router) {
      router = new TrieRouter<string>();
      // (middleware is registered for ALL methods; only real routes say what a path answers to)
      for (const r of app.routes) if (r.method !== 'ALL') router.add('ALL', r.path, r.method);
    }
    const methods = new Set(router.match('ALL', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
