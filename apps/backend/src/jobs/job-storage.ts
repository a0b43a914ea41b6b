import type { ObjectStorage } from '../storage/storage.js';
import { thumbnailsKey, thumbnailsLayoutKey, waveformKey } from '../storage/derived-keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** When RETENTION_DAYS deletes a job created at `createdAt`; null when jobs are kept until deleted. */
export function expiresAt(createdAt: Date, retentionDays: number | null): Date | null {
  return retentionDays === null ? null : new Date(createdAt.getTime() + retentionDays * DAY_MS);
}

/** The keys whose sizes make up a job's stored bytes: the upload, its derived files and its finished renders. */
export function storedObjectKeys(fileKey: string, renderOutputKeys: readonly string[]): string[] {
  return [fileKey, waveformKey(fileKey), thumbnailsKey(fileKey), thumbnailsLayoutKey(fileKey), ...renderOutputKeys];
}

/**
 * The bytes a job keeps in storage, from the objects' sizes as storage
 * reports them now (`head`, all at once): nothing to keep in step when a
 * render or a waveform is added, and no figure goes stale. Measured when the
 * list is read: one stat per object on local disk, one HEAD per object on S3
 * (4 + renders per job, at most 100 jobs a page). A missing object counts 0;
 * null when storage could not say.
 */
export async function storedBytes(storage: Pick<ObjectStorage, 'head'>, keys: readonly string[]): Promise<number | null> {
  try {
    const infos = await Promise.all(keys.map((k) => storage.head(k)));
    return infos.reduce((sum, info) => sum + (info?.size ?? 0), 0);
  } catch {
    return null;
  }
}
