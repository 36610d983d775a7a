import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP endpoint that records what it receives and answers with scripted statuses. */
export async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const script = [...statuses];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
