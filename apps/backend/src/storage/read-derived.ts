import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '@ecg/service-kit';
import { StorageNotFoundError, type ObjectStorage } from './storage.js';

/**
 * Opens a file the backend keeps next to a job's video (waveform, thumbnail
 * sprite) for a read route: 404 NOT_FOUND when the job has none (yet), 503
 * STORAGE_UNAVAILABLE, logged, when storage fails.
 */
export async function readDerived(
  storage: Pick<ObjectStorage, 'read'>,
  jobId: string,
  key: string,
  what: string,
  log: Pick<FastifyBaseLogger, 'error'>,
): Promise<Readable> {
  try {
    return await storage.read(key);
  } catch (err) {
    if (err instanceof StorageNotFoundError) throw new ServiceError('NOT_FOUND', `job ${jobId} has no ${what}`);
    log.error({ err, jobId }, `storage failed while reading ${what}`);
    throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
  }
}
