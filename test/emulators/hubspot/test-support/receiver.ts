import { Hono } from 'hono';

// A stand-in for our server on the receiving end of webhooks and hubspot.fetch: records every
// request and answers with whatever the test scripts.

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Responder = (req: Received, index: number) => Response | Promise<Response>;

export function receiver(respond: Responder = () => new Response(null, { status: 204 })) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const app = new Hono();
  app.all('*', async (c) => {
    const r: Received = {
      method: c.req.method,
      url: c.req.url,
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.text(),
      at: Date.now(),
    };
    received.push(r);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await state.respond(r, received.length - 1);
    } finally {
      inFlight--;
    }
  });
  const state = {
    app,
    received,
    respond,
    get maxInFlight() {
      return maxInFlight;
    },
    fetch: (req: Request) => Promise.resolve(app.fetch(req)),
    /** Parsed webhook event arrays, one per POST. */
    batches: () => received.map((r) => JSON.parse(r.body) as Record<string, unknown>[]),
  };
  return state;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
