import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * Which ffmpeg and ffprobe to run, by one rule for every service:
 * FFMPEG_PATH when set (it must then be an executable file: a typo is
 * reported, never silently replaced by another ffmpeg), else `ffmpeg` on PATH,
 * else the fallback the caller passes in (the ML service: the static build in
 * @ffmpeg-installer/ffmpeg; the backend passes none, its renders need libass,
 * which that build lacks). ffprobe: FFPROBE_PATH when set (checked the same
 * way), else the one beside the chosen ffmpeg, else PATH, else none (probing
 * then parses `ffmpeg -i`). Nothing here throws: a missing or mistyped tool
 * comes back as a lookup that is not ok, with a sentence saying what is missing
 * and how to fix it; each caller turns that into its own behaviour.
 */

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export interface ToolsEnv {
  FFMPEG_PATH?: string | undefined;
  FFPROBE_PATH?: string | undefined;
  PATH?: string | undefined;
}

/** The last resort when FFMPEG_PATH is unset and PATH has no ffmpeg. */
export interface FfmpegFallback<Source extends string> {
  /** Names it in `MediaTools.source` and in the sentence when it has no binary either. */
  source: Source;
  /** The fallback's ffmpeg, or null when it has none here; only called when needed. */
  ffmpeg(): string | null;
}

export interface MediaTools<FallbackSource extends string = never> {
  ffmpeg: string;
  /** null: no ffprobe found; probing parses `ffmpeg -i` instead. */
  ffprobe: string | null;
  /** Where ffmpeg was found. */
  source: 'FFMPEG_PATH' | 'PATH' | FallbackSource;
}

export type MediaToolsProblemCode = 'FFMPEG_PATH_INVALID' | 'FFPROBE_PATH_INVALID' | 'FFMPEG_NOT_FOUND';

export type MediaToolsLookup<FallbackSource extends string = never> =
  | { ok: true; tools: MediaTools<FallbackSource> }
  | { ok: false; code: MediaToolsProblemCode; /** One sentence: what is missing, how to fix it. */ problem: string };

/** The finder's verdict as an exception, for callers that cannot go on without the tools. */
export class MediaToolsError extends Error {
  constructor(
    readonly code: MediaToolsProblemCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaToolsError';
  }
}

const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install ffmpeg) or set FFMPEG_PATH to an ffmpeg binary';

export function findMediaTools<FallbackSource extends string = never>(
  env: ToolsEnv,
  opts: { fallback?: FfmpegFallback<FallbackSource> } = {},
): MediaToolsLookup<FallbackSource> {
  let ffmpeg: string | null;
  let source: MediaTools<FallbackSource>['source'];
  if (env.FFMPEG_PATH) {
    if (!isExecutable(env.FFMPEG_PATH)) {
      return {
        ok: false,
        code: 'FFMPEG_PATH_INVALID',
        problem: `FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file: point it at an ffmpeg binary, or unset it to use the ffmpeg on PATH`,
      };
    }
    ffmpeg = env.FFMPEG_PATH;
    source = 'FFMPEG_PATH';
  } else {
    ffmpeg = findOnPath('ffmpeg', env.PATH);
    source = 'PATH';
    if (!ffmpeg && opts.fallback) {
      ffmpeg = opts.fallback.ffmpeg();
      source = opts.fallback.source;
    }
  }
  if (!ffmpeg) {
    const where = opts.fallback ? `on PATH nor in ${opts.fallback.source}` : 'on PATH';
    return { ok: false, code: 'FFMPEG_NOT_FOUND', problem: `ffmpeg not found ${where}: ${INSTALL_HINT}` };
  }

  let ffprobe: string | null;
  if (env.FFPROBE_PATH) {
    if (!isExecutable(env.FFPROBE_PATH)) {
      return {
        ok: false,
        code: 'FFPROBE_PATH_INVALID',
        problem: `FFPROBE_PATH=${env.FFPROBE_PATH} is not an executable file: point it at an ffprobe binary, or unset it to use the one beside ffmpeg or on PATH`,
      };
    }
    ffprobe = env.FFPROBE_PATH;
  } else {
    // The ffprobe of the same build first: a distribution or /opt install ships them as a pair.
    const beside = join(dirname(ffmpeg), 'ffprobe');
    ffprobe = isExecutable(beside) ? beside : findOnPath('ffprobe', env.PATH);
  }
  return { ok: true, tools: { ffmpeg, ffprobe, source } };
}

/** `findMediaTools`, throwing its sentence as a `MediaToolsError` when a tool is missing. */
export function requireMediaTools<FallbackSource extends string = never>(
  env: ToolsEnv,
  opts: { fallback?: FfmpegFallback<FallbackSource> } = {},
): MediaTools<FallbackSource> {
  const found = findMediaTools(env, opts);
  if (!found.ok) throw new MediaToolsError(found.code, found.problem);
  return found.tools;
}
