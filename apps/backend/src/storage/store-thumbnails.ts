import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { ThumbnailLayout, ThumbnailSprite } from '@ecg/contracts';
import { thumbnailsKey, thumbnailsLayoutKey } from './derived-keys.js';
import type { ObjectStorage } from './storage.js';

/**
 * Stores a delivered thumbnail sprite next to its video: the JPEG, then its
 * layout (the layout's presence is what says a sprite is there, so a failure
 * between the two leaves none visible). Like the waveform, thumbnails are a
 * nicety for the editor's timeline, never worth the transcript: a storage
 * failure is logged and swallowed, the job still completes, and
 * GET …/thumbnails answers 404.
 */
export async function storeThumbnails(
  storage: Pick<ObjectStorage, 'write'>,
  fileKey: string,
  sprite: ThumbnailSprite,
  log: Pick<FastifyBaseLogger, 'warn'>,
): Promise<boolean> {
  try {
    await storage.write(thumbnailsKey(fileKey), Readable.from([Buffer.from(sprite.jpeg_base64, 'base64')]), 'image/jpeg');
    const layout: ThumbnailLayout = { width: sprite.width, height: sprite.height, columns: sprite.columns, times: sprite.times };
    await storage.write(thumbnailsLayoutKey(fileKey), Readable.from([Buffer.from(JSON.stringify(layout))]), 'application/json');
    return true;
  } catch (err) {
    log.warn({ err, fileKey }, 'could not store the thumbnails; the job completes without them');
    return false;
  }
}
