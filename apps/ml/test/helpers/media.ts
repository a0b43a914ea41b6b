import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs ffmpeg quietly (the real binary: test media are made, not stored). */
export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

export async function appendSilence(wav: string, seconds: number, out: string): Promise<void> {
  await ffmpeg(['-i', wav, '-af', `apad=pad_dur=${seconds}`, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', out]);
}

export async function silenceWav(seconds: number, out: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono`, '-t', String(seconds), '-c:a', 'pcm_s16le', out]);
}

export async function concatWav(wav: string, times: number, out: string): Promise<void> {
  await ffmpeg(['-stream_loop', String(times - 1), '-i', wav, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', out]);
}

/** One shot of a made-up video: a lavfi source graph (any size and rate; it is scaled and timed to the video's) and its length. */
export interface ShotSpec {
  /** e.g. `testsrc2`, `smptebars`, `color=c=navy`, `color=c=gray,noise=alls=40:allf=t`. */
  source: string;
  frames: number;
}

/**
 * An H.264 video of `shots` joined by hard cuts, `fps` frames a second at a
 * constant rate, so shot k starts at frame sum(frames of shots before k):
 * test media with cuts known to the frame. `audio` (a file) is muxed in
 * when given, cut to the video's length. `setpts` (an ffmpeg setpts
 * expression) retimes the frames and keeps the new times as they are
 * (variable frame rate); then cutSeconds no longer apply.
 */
export async function videoWithShots(
  shots: readonly ShotSpec[],
  out: string,
  opts: { width?: number; height?: number; fps?: number; audio?: string; setpts?: string } = {},
): Promise<{ path: string; cutFrames: number[]; cutSeconds: number[]; fps: number }> {
  const { width = 320, height = 180, fps = 30 } = opts;
  const inputs = shots.flatMap((s) => ['-f', 'lavfi', '-i', s.source]);
  const chains = shots.map(
    (s, i) =>
      `[${i}:v]scale=${width}:${height},setsar=1,fps=${fps},trim=end_frame=${s.frames},setpts=PTS-STARTPTS,format=yuv420p[v${i}]`,
  );
  const retime = opts.setpts ? `,setpts='${opts.setpts}'` : '';
  const graph = `${chains.join(';')};${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0${retime}[v]`;
  const audio = opts.audio ? ['-i', opts.audio] : [];
  await ffmpeg([
    ...inputs,
    ...audio,
    '-filter_complex', graph,
    '-map', '[v]',
    ...(opts.audio ? ['-map', `${shots.length}:a:0`, '-c:a', 'aac', '-b:a', '64k', '-shortest'] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    ...(opts.setpts ? ['-vsync', 'vfr'] : ['-r', String(fps)]),
    out,
  ]);
  const cutFrames: number[] = [];
  let at = 0;
  for (const s of shots.slice(0, -1)) cutFrames.push((at += s.frames));
  return { path: out, cutFrames, cutSeconds: cutFrames.map((f) => f / fps), fps };
}
