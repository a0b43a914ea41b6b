/**
 * The ML service process: `npm start -w @ecg/ml` or `tsx apps/ml/src/main.ts`.
 * Starts even when no model or binary is there yet (/health then says 503 and
 * why), because `npm start` may still be fetching the model.
 */
import { loadConfig } from './config.js';
import { createMlService } from './service.js';

const config = loadConfig(process.env);
const service = await createMlService(config, { logger: { level: config.logLevel } });
const log = service.app.log;

const readiness = await service.readiness();
if (readiness.ready) log.info({ model: readiness.model, vad: readiness.vadModelPath ?? 'off', ffmpeg: readiness.tools.ffmpeg }, 'ready to transcribe');
else log.warn({ reason: readiness.reason }, 'not ready: jobs are refused with MODEL_UNAVAILABLE until this is fixed');

const { requeued, pendingDeliveries } = await service.start();
if (requeued || pendingDeliveries) log.info({ requeued, pendingDeliveries }, 'resumed work left by the previous run');
await service.app.listen({ port: config.port, host: config.host });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: running jobs go back to the queue');
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  try {
    await service.close();
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
