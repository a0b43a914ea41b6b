import type { ThumbnailSprite, VideoAnalysis } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import type { FfmpegTools } from '../pipeline/ffmpeg.js';
import { decodeFrames } from './decode-frames.js';
import { encodeJpeg } from './encode-jpeg.js';
import { ShotAnalyzer, type ShotAnalyzerOptions } from './shot-analyzer.js';
import { tileSprite } from './tile-sprite.js';

/** The analysed frames' long side: 160 px, the thumbnails' size too, so one decode serves both. */
export const ANALYSIS_LONG_SIDE = 160;

/**
 * The analysed frame size for a displayed picture: its aspect, ANALYSIS_LONG_SIDE
 * on the long side, both sides even (what ffmpeg's chroma subsampling and the
 * JPEG encoder want) and at least 2.
 */
export function analysisFrameSize(displayWidth: number, displayHeight: number, longSide = ANALYSIS_LONG_SIDE): { width: number; height: number } {
  const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));
  if (!(displayWidth > 0 && displayHeight > 0)) return { width: longSide, height: even((longSide * 9) / 16) };
  return displayWidth >= displayHeight
    ? { width: even(longSide), height: even((longSide * displayHeight) / displayWidth) }
    : { width: even((longSide * displayWidth) / displayHeight), height: even(longSide) };
}

export interface VideoStream {
  /** ffmpeg's index of the stream in the file. */
  index: number;
  /** Displayed size. */
  width: number;
  height: number;
  /** As the container states it; null when it does not (then it is measured from the frame times). */
  fps: number | null;
}

export interface AnalyzeVideoOptions {
  tools: FfmpegTools;
  inputPath: string;
  stream: VideoStream;
  /** The job's private directory (the frames' socket, the sprite's temporary files). */
  workDir: string;
  /** Media duration when known, for progress. */
  durationSeconds: number | null;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  analyzer?: ShotAnalyzerOptions;
}

export interface VideoAnalysisOutput {
  video: VideoAnalysis;
  /** Absent for a stream without frames. */
  thumbnails?: ThumbnailSprite;
}

/** Milliseconds, as the transcript's times: shots last at least 2 ms (MIN_SHOT_SECONDS_FLOOR), so they stay strictly ascending. */
const roundMs = (t: number) => Math.round(Math.max(0, t) * 1000) / 1000;

/**
 * Frame rate, size, shot changes and a per-shot thumbnail sprite of one video
 * stream, from a single decode of it (decode-frames.ts) through the pure
 * ShotAnalyzer. Costs a decode of the video (see `npm run bench`); the cancel
 * signal kills ffmpeg.
 */
export async function analyzeVideo(opts: AnalyzeVideoOptions): Promise<VideoAnalysisOutput> {
  const size = analysisFrameSize(opts.stream.width, opts.stream.height);
  const analyzer = new ShotAnalyzer(size.width, size.height, opts.analyzer);
  let lastReport = -1;
  const { frames, times } = await decodeFrames({
    tools: opts.tools,
    inputPath: opts.inputPath,
    streamIndex: opts.stream.index,
    width: size.width,
    height: size.height,
    workDir: opts.workDir,
    signal: opts.signal,
    onFrame: (frame) => analyzer.push(frame),
    onTime: (time) => {
      // A report per whole percent: ffmpeg hands over hundreds of frames a second.
      if (!opts.onProgress || !opts.durationSeconds || !(opts.durationSeconds > 0)) return;
      const percent = Math.floor(Math.min(1, time / opts.durationSeconds) * 100);
      if (percent > lastReport) {
        lastReport = percent;
        opts.onProgress(percent / 100);
      }
    },
  });
  const shots = analyzer.finish();
  if (frames === 0) throw new ServiceError('MEDIA_DECODE_ERROR', 'the video stream holds no frame');
  const span = times.at(frames - 1) - times.at(0);
  const fps = opts.stream.fps ?? (frames > 1 && span > 0 ? (frames - 1) / span : null);
  if (fps === null) throw new ServiceError('MEDIA_DECODE_ERROR', 'the video stream states no frame rate and holds too few frames to measure one');
  // Shots are 15 frames or longer and frame times strictly ascending: distinct in milliseconds but at over 15 000 fps.
  const video: VideoAnalysis = {
    fps: Math.round(fps * 1000) / 1000,
    width: opts.stream.width,
    height: opts.stream.height,
    shot_changes: shots.shotChanges.map((i) => roundMs(times.at(i))),
  };
  if (shots.thumbnails.length === 0) return { video };
  const sprite = tileSprite(
    shots.thumbnails.map((t) => t.frame),
    size.width,
    size.height,
  );
  const jpeg = await encodeJpeg(opts.tools, sprite, opts.workDir, opts.signal);
  opts.onProgress?.(1);
  return {
    video,
    thumbnails: {
      width: size.width,
      height: size.height,
      columns: sprite.columns,
      // The first shot starts at 0 on the timeline, whatever its first frame's pts.
      times: shots.thumbnails.map((t) => (t.shotStart === 0 ? 0 : roundMs(times.at(t.shotStart)))),
      jpeg_base64: jpeg.toString('base64'),
    },
  };
}
