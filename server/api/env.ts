import { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor } from '../program/actor.ts';
import { problem, problemResponse, zodProblem } from '../http/problem.ts';

export type ApiEnv = { Variables: { accountId: string; actor: Actor } };

/** An OpenAPI router whose validation failures are problem+json naming the field. */
export function apiRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : result.target === 'query' ? 'query' : 'header';
        return problemResponse(c, zodProblem(result.error as never, where));
      }
    },
  });
}

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: problem(s, 'x', '').title, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  );
