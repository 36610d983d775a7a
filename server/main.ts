import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig, ConfigError } from './config.ts';
import { boot } from './boot.ts';
import { createApp } from './app.ts';
import { seedSandbox, startSandboxEmulators } from './sandbox/start.ts';

// `npm start`: the web server, with job workers in-process unless RUN_WORKERS=false. Without
// HubSpot/Intercom credentials it is sandbox mode: both platforms emulated, a demo account connected.
async function main() {
  const started = performance.now();
  let config = loadConfig();
  const emulators = config.sandbox ? await startSandboxEmulators(config) : null;
  if (emulators) config = emulators.config;
  const booted = await boot(config, { workers: config.runWorkers });
  const { ctx } = booted;
  const app = createApp(ctx);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  if (emulators) {
    ctx.sandbox = await seedSandbox(ctx, app, emulators);
    console.log(`Sandbox mode: no HubSpot/Intercom credentials, so both are emulated on 127.0.0.1.\n${readFileSync(join(config.dataDir, 'sandbox.json'), 'utf8')}`);
  }
  ctx.log.info({ port: config.port, publicUrl: config.publicUrl, sandbox: config.sandbox, ms: Math.round(performance.now() - started) }, 'Refcard is ready');
  console.log(`Refcard is ready at ${config.publicUrl}${config.sandbox ? ` (try ${config.publicUrl}/sandbox)` : ''} — API docs: ${config.publicUrl}/api/docs`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down');
    server.close();
    await booted.stop();
    await emulators?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
