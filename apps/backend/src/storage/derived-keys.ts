/**
 * Keys of files the backend derives from an upload: the waveform and the
 * thumbnail sprite sit next to their video, renders under their own prefix.
 * All are written only by the backend (storage.write), never through an
 * upload URL.
 */

/** `<fileKey>.waveform.json`: the ML service's waveform overview of the upload's audio. */
export function waveformKey(fileKey: string): string {
  return `${fileKey}.waveform.json`;
}

/** `renders/<jobId>/<renderId>.mp4`: one burned-in render. */
export function renderKey(jobId: string, renderId: string): string {
  return `renders/${jobId}/${renderId}.mp4`;
}

/** `<fileKey>.thumbnails.jpg`: the ML service's sprite of one thumbnail per shot of the video. */
export function thumbnailsKey(fileKey: string): string {
  return `${fileKey}.thumbnails.jpg`;
}

/** `<fileKey>.thumbnails.json`: how that sprite is laid out (ThumbnailLayout); written after the sprite, so it means the sprite is there. */
export function thumbnailsLayoutKey(fileKey: string): string {
  return `${fileKey}.thumbnails.json`;
}
