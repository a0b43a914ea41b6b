/**
 * The ML service process: `npm start -w @ecg/ml` or `tsx apps/ml/src/main.ts`.
 * Starts even when no model or binary is there yet (/health then says 503 and
 * why), because `npm start` may still be fetching the model.
 */
import { closeOnSignals } from '@ecg/service-kit';
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

// Running jobs go back to the queue on close (service.close stops the workers first).
closeOnSignals(() => service.close(), { timeoutMs: 20_000, log });
