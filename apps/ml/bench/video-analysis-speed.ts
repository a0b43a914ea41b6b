/**
 * Video analysis speed (one decode to 160 px frames, shot detection, the
 * thumbnail sprite): seconds per minute of 720p and of 1080p H.264 at 30 fps.
 *
 * The test videos are 20 s of four 5 s shots (testsrc2, HD colour bars, a
 * noisy testsrc2, RGB test pattern) encoded with libx264 `veryfast` (CABAC,
 * B-frames: a camera's kind of stream, dearer to decode than `ultrafast`),
 * made here; 20 s rather than a minute because encoding 1080p costs about as
 * long as it plays on 2 cores, and the analysis is linear in the frames.
 * Reported: the median of 3 runs, scaled to a minute.
 *
 * Target: a small fraction of transcription time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveFfmpegTools } from '../src/pipeline/ffmpeg.js';
import { probeMedia } from '../src/pipeline/probe-media.js';
import { analyzeVideo } from '../src/video/analyze-video.js';
import { ffmpeg } from '../test/helpers/media.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SHOT_SECONDS = 5;

async function makeVideo(path: string, width: number, height: number): Promise<number> {
  const s = `s=${width}x${height}:r=30:d=${SHOT_SECONDS}`;
  const sources = [`testsrc2=${s}`, `smptehdbars=${s}`, `testsrc2=${s},noise=alls=20:allf=t`, `rgbtestsrc=${s}`];
  await ffmpeg([
    ...sources.flatMap((src) => ['-f', 'lavfi', '-i', src]),
    '-filter_complex', `${sources.map((_, i) => `[${i}:v]`).join('')}concat=n=${sources.length}:v=1:a=0[v]`,
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', path,
  ]);
  return sources.length * SHOT_SECONDS;
}

export interface VideoAnalysisSpeed {
  label: string;
  videoSeconds: number;
  analysisSeconds: number;
  secondsPerMinute: number;
  /** The same video decoded by ffmpeg alone to nowhere (`-f null`): the floor any analysis of every frame pays. */
  decodeSecondsPerMinute: number;
  shotChanges: number;
}

export async function main(runs = 3): Promise<VideoAnalysisSpeed[]> {
  const work = mkdtempSync(join(tmpdir(), 'ecg-bench-video-'));
  const tools = resolveFfmpegTools(process.env);
  try {
    const out: VideoAnalysisSpeed[] = [];
    for (const [label, width, height] of [['720p', 1280, 720], ['1080p', 1920, 1080]] as const) {
      const path = join(work, `${label}.mp4`);
      const videoSeconds = await makeVideo(path, width, height);
      const info = await probeMedia(tools, path);
      if (!info.video) throw new Error(`no video stream in the ${label} bench video`);
      const times: number[] = [];
      const decodes: number[] = [];
      let shotChanges = 0;
      for (let i = 0; i < runs; i++) {
        let t = performance.now();
        const r = await analyzeVideo({ tools, inputPath: path, stream: info.video, workDir: work, durationSeconds: info.durationSeconds });
        times.push((performance.now() - t) / 1000);
        shotChanges = r.video.shot_changes.length;
        t = performance.now();
        await ffmpeg(['-i', path, '-map', '0:v:0', '-f', 'null', '-']);
        decodes.push((performance.now() - t) / 1000);
      }
      const analysisSeconds = median(times);
      const perMinute = (s: number) => s / (videoSeconds / 60);
      out.push({ label, videoSeconds, analysisSeconds, secondsPerMinute: perMinute(analysisSeconds), decodeSecondsPerMinute: perMinute(median(decodes)), shotChanges });
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The line `npm run bench` prints. */
export function summary(r: readonly VideoAnalysisSpeed[]): string {
  const at = (label: string) => r.find((x) => x.label === label)?.secondsPerMinute.toFixed(2) ?? '?';
  return `video analysis: ${at('720p')} s per minute of 720p video, ${at('1080p')} s per minute of 1080p video`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const r = await main();
  console.log(summary(r));
  for (const x of r) {
    console.log(
      `  ${x.label}: ${x.videoSeconds} s of H.264 analysed in ${x.analysisSeconds.toFixed(2)} s (median of 3), ${x.shotChanges} shot changes found (3 made); ffmpeg's decode alone: ${x.decodeSecondsPerMinute.toFixed(2)} s per minute`,
    );
  }
}
