import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from '@ecg/service-kit';
import { lastLine, runTool, type FfmpegTools } from '../pipeline/ffmpeg.js';
import type { RgbImage } from './tile-sprite.js';

/**
 * mjpeg's -q:v runs 2 (best) to 31; 5 keeps 160x90 tiles legible at about
 * 4.5 kB each (measured on ffmpeg's test patterns, which are all sharp
 * edges; camera footage compresses better).
 */
const JPEG_QUALITY = 5;

/** Encodes an RGB24 image as a baseline JPEG with ffmpeg (the service's one image codec), via files in `workDir`. */
export async function encodeJpeg(tools: FfmpegTools, image: RgbImage, workDir: string, signal?: AbortSignal): Promise<Buffer> {
  const rawPath = join(workDir, 'sprite.rgb');
  const jpegPath = join(workDir, 'sprite.jpg');
  try {
    await writeFile(rawPath, image.rgb);
    const run = await runTool(
      tools.ffmpeg,
      [
        '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
        '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${image.width}x${image.height}`, '-i', rawPath,
        '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', String(JPEG_QUALITY), '-f', 'image2', '-y', jpegPath,
      ],
      { signal },
    );
    if (run.code !== 0) {
      throw new ServiceError('INTERNAL_ERROR', `ffmpeg could not encode the thumbnail sprite: ${lastLine(run.stderr)}`);
    }
    return await readFile(jpegPath);
  } finally {
    await rm(rawPath, { force: true });
    await rm(jpegPath, { force: true });
  }
}
