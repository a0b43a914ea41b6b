/**
 * The media a person would upload: video and audio containers ffmpeg reads.
 * Browsers report some files with legacy or vendor MIME types, so several
 * aliases map to one extension family. Anything else (executables, images,
 * archives) is refused before an upload URL is signed.
 */
export const ACCEPTED_MEDIA_TYPES: Readonly<Record<string, readonly string[]>> = {
  'video/mp4': ['mp4', 'm4v'],
  'video/quicktime': ['mov'],
  'video/webm': ['webm'],
  'video/x-matroska': ['mkv'],
  'video/matroska': ['mkv'],
  'video/x-msvideo': ['avi'],
  'video/avi': ['avi'],
  'video/msvideo': ['avi'],
  'video/mpeg': ['mpeg', 'mpg'],
  'audio/mpeg': ['mp3'],
  'audio/mp3': ['mp3'],
  'audio/mp4': ['m4a', 'mp4'],
  'audio/x-m4a': ['m4a'],
  'audio/m4a': ['m4a'],
  'audio/wav': ['wav'],
  'audio/x-wav': ['wav'],
  'audio/wave': ['wav'],
  'audio/vnd.wave': ['wav'],
  'audio/flac': ['flac'],
  'audio/x-flac': ['flac'],
  'audio/ogg': ['ogg', 'oga', 'opus'],
  'video/ogg': ['ogv', 'ogg'],
  'audio/webm': ['webm'],
};

export const ACCEPTED_EXTENSIONS: readonly string[] = [
  ...new Set(Object.values(ACCEPTED_MEDIA_TYPES).flat()),
].sort();

/** Normalises a MIME type as browsers send it ("Video/MP4; codecs=..." → "video/mp4"). */
export function normaliseMediaType(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase();
}

export function isAcceptedMediaType(type: string): boolean {
  return Object.hasOwn(ACCEPTED_MEDIA_TYPES, normaliseMediaType(type));
}

/** Lower-case extension of a file name without the dot, or '' when it has none. */
export function extensionOf(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/**
 * A file is accepted when its MIME type is a media type we take. When the name
 * has an extension it must belong to the media family too: "setup.exe" sent as
 * video/mp4 is refused. Browsers often send an empty type for .mkv and similar;
 * the caller may then infer the type from the extension with `mediaTypeForExtension`.
 */
export function isAcceptedUpload(filename: string, type: string): boolean {
  if (!isAcceptedMediaType(type)) return false;
  const ext = extensionOf(filename);
  return ext === '' || ACCEPTED_EXTENSIONS.includes(ext);
}

export function mediaTypeForExtension(ext: string): string | undefined {
  const e = ext.toLowerCase();
  for (const [type, exts] of Object.entries(ACCEPTED_MEDIA_TYPES)) if (exts.includes(e)) return type;
  return undefined;
}
