import { loadConfig } from './config.ts';
import { boot } from './boot.ts';

// `npm run worker`: job workers only, for scaling out against a shared PostgreSQL (DATABASE_URL).
async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) {
    console.error('npm run worker needs DATABASE_URL: workers share the web server\'s PostgreSQL.');
    process.exit(1);
  }
  const booted = await boot(config, { workers: true });
  console.log('Refcard worker ready');
  const shutdown = async () => {
    await booted.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
