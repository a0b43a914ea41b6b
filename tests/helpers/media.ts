import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Muxes an audio file under a small black H.264 video, as a phone would record it. */
export async function muxAudioIntoMp4(audioPath: string, outPath: string): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=black:s=320x240:r=25',
    '-i', audioPath,
    '-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart',
    outPath,
  ]);
}

/** Writes `times` copies of an audio file back to back (a longer recording from a short fixture). */
export async function repeatAudio(audioPath: string, times: number, outPath: string): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(times - 1), '-i', audioPath, '-c', 'copy', outPath]);
}
