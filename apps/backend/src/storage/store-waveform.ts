import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { WaveformJson } from '@ecg/contracts';
import { waveformKey } from './derived-keys.js';
import type { ObjectStorage } from './storage.js';

/**
 * Stores a delivered waveform next to its video. A waveform is a nicety for
 * the editor; the transcript delivered with it is the product. So a storage
 * failure is logged and swallowed: the job still completes, the editor just
 * draws no waveform (GET …/waveform answers 404).
 */
export async function storeWaveform(
  storage: Pick<ObjectStorage, 'write'>,
  fileKey: string,
  waveform: WaveformJson,
  log: Pick<FastifyBaseLogger, 'warn'>,
): Promise<boolean> {
  try {
    await storage.write(waveformKey(fileKey), Readable.from([Buffer.from(JSON.stringify(waveform))]), 'application/json');
    return true;
  } catch (err) {
    log.warn({ err, fileKey }, 'could not store the waveform; the job completes without one');
    return false;
  }
}
