/** Test media made with the real ffmpeg in milliseconds, instead of stored files. */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ffmpeg } from '../helpers/media.js';

/** Muxes an audio file under a small black H.264 video (moov at the end unless `faststart`). */
export async function muxIntoMp4(audioPath: string, out: string, opts: { faststart?: boolean } = {}): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', 'color=c=black:s=160x120:r=10',
    '-i', audioPath,
    '-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k',
    ...(opts.faststart ? ['-movflags', '+faststart'] : []),
    out,
  ]);
  return out;
}

export async function videoWithoutAudio(out: string, seconds = 2): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc=d=${seconds}:s=160x120:r=10`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out]);
  return out;
}

export async function silentVideo(out: string, seconds: number): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `color=c=black:s=160x120:r=10:d=${seconds}`,
    '-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono:d=${seconds}`,
    '-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', out,
  ]);
  return out;
}

/** Noise that is the same on every run (sha256 in counter mode), so a probe verdict is reproducible. */
export async function randomFile(out: string, bytes = 200_000, seed = 'ecg'): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i * 32 < bytes; i++) chunks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  await writeFile(out, Buffer.concat(chunks).subarray(0, bytes));
  return out;
}

/** The first half of `src`, as an upload cut off midway would leave it. */
export async function truncateHalf(src: string, out: string): Promise<string> {
  const data = await readFile(src);
  await writeFile(out, data.subarray(0, Math.floor(data.length / 2)));
  return out;
}
