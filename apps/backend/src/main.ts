import { closeOnSignals } from '@ecg/service-kit';
import { ConfigError, loadConfig, type BackendConfig } from './config.js';
import { buildApp, startBackgroundWork } from './app.js';
import { createDb } from './db/create-db.js';
import { createStorage } from './storage/create-storage.js';
import { lowerProcessPriority } from './process-priority.js';

// Long enough to finish in-flight requests; short enough for an orchestrator's kill timeout.
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config: BackendConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // First, so the threads the database and storage start inherit it.
  const loweredThreads = lowerProcessPriority(config.nice);

  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const storage = createStorage(config.storage);
  const app = await buildApp({ config, db, storage });

  // app.close() stops accepting, lets in-flight requests finish and stops the dispatcher and the
  // render worker (onClose), which kills running ffmpegs and queues their renders again.
  closeOnSignals(() => app.close().then(() => db.close()), { timeoutMs: SHUTDOWN_TIMEOUT_MS, log: app.log });

  await app.listen({ port: config.port, host: config.host });
  startBackgroundWork(app, config.role);
  app.log.info(
    { role: config.role, nice: config.nice, loweredThreads, publicUrl: config.publicUrl, database: db.driver, storage: storage.driver, mlUrl: config.mlUrl },
    'backend ready',
  );
}

main().catch((err: unknown) => {
  console.error('backend failed to start:', err);
  process.exit(1);
});
