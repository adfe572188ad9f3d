// Entry point for `npm start` and the container: config from env, open the database, serve, shut down on SIGTERM.
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db.ts';
import { startHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { seedDemoUsers } from './seed.ts';
import { createUserStore } from './user-store.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  if (config.seedDemoUsers) {
    const seeded = await seedDemoUsers(createUserStore(db));
    logger.info(seeded > 0 ? 'seeded demo users' : 'database not empty: demo users not seeded', { seeded });
  }
  const app = createApp({ db, metrics: createMetrics(), logger });
  const server = await startHttpServer(app, config.port, config.host);
  logger.info('listening', { host: config.host, port: server.port, database: config.databasePath });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: no new connections, waiting for in-flight requests', { signal });
    try {
      await server.close(config.shutdownTimeoutMs);
    } finally {
      db.close();
      logger.info('database closed, exiting');
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error) => {
          logger.error('shutdown failed', { error: String(error) });
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`miniwebapp failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
