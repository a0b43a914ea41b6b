/**
 * Keys of files the backend derives from an upload: the waveform sits next to
 * its video, renders under their own prefix. Both are written only by the
 * backend (storage.write), never through an upload URL.
 */

/** `<fileKey>.waveform.json`: the ML service's waveform overview of the upload's audio. */
export function waveformKey(fileKey: string): string {
  return `${fileKey}.waveform.json`;
}

/** `renders/<jobId>/<renderId>.mp4`: one burned-in render. */
export function renderKey(jobId: string, renderId: string): string {
  return `renders/${jobId}/${renderId}.mp4`;
}
