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
