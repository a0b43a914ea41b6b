import { renderKey, thumbnailsKey, thumbnailsLayoutKey, waveformKey } from '../storage/derived-keys.js';

/**
 * Every storage key a job may own: the upload, what is derived from it
 * (waveform, thumbnail sprite and its layout) and its renders. Keys that
 * were never written are included: deleting a missing object is a no-op, and
 * listing them all is what lets an interrupted deletion be finished blindly.
 */
export function jobObjectKeys(
  job: { id: string; fileKey: string },
  renders: ReadonlyArray<{ id: string; outputKey: string | null }>,
): string[] {
  const keys = [job.fileKey, waveformKey(job.fileKey), thumbnailsKey(job.fileKey), thumbnailsLayoutKey(job.fileKey)];
  for (const r of renders) {
    keys.push(renderKey(job.id, r.id));
    if (r.outputKey) keys.push(r.outputKey);
  }
  return [...new Set(keys)];
}
