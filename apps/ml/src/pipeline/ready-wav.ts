import { open } from 'node:fs/promises';
import { readWavInfo } from '../analysis/read-wav.js';
import type { MediaInfo } from './probe-media.js';

/**
 * Whether a downloaded file already is what audio extraction would write:
 * a RIFF/WAVE file of 16 kHz mono 16-bit integer PCM whose data chunk is
 * all there. Such a file (what recorders, ffmpeg pipelines and many API
 * clients send) is handed to whisper.cpp as it is: ffmpeg would copy the
 * very same samples, and ffprobe plus ffmpeg cost two process starts and a
 * pass over the file (0.14 s of a 66 s job on the 2-core development
 * machine, 5% of the job with the tiny model; apps/ml/bench/whole-job-ratio.ts).
 *
 * Anything unusual goes the long way, where ffmpeg judges it and a broken
 * file gets its coded error: RF64, a data size of 0 or 0xFFFFFFFF (written
 * by a writer that could not seek back), a data chunk that promises more
 * bytes than the file holds (a cut-off upload), an odd byte count, no
 * samples at all, a header that does not parse. Null means "not ready".
 */
export interface ReadyWav {
  /** Samples / 16 000. */
  seconds: number;
}

export const READY_SAMPLE_RATE = 16_000;

export async function readyWav(path: string): Promise<ReadyWav | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    // The analysis' own WAV reader walks the chunks; it refuses (throws) anything but mono 16-bit integer PCM.
    const info = await readWavInfo(fh, path);
    const size = info.declaredDataBytes;
    const complete = info.container === 'RIFF' && size > 0 && size !== 0xffffffff && size % 2 === 0 && size === info.totalSamples * 2;
    return complete && info.sampleRate === READY_SAMPLE_RATE ? { seconds: info.totalSamples / READY_SAMPLE_RATE } : null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/** What the pipeline knows of a ready WAV, in the probe's shape (an audio-only file). */
export function readyWavInfo(wav: ReadyWav): MediaInfo {
  const audio = {
    index: 0,
    type: 'audio',
    codec: 'pcm_s16le',
    durationSeconds: wav.seconds,
    width: null,
    height: null,
    sampleAspectRatio: null,
    rotation: null,
    fps: null,
    attachedPicture: false,
    channels: 1,
    sampleRate: READY_SAMPLE_RATE,
  };
  return { formatName: 'wav', durationSeconds: wav.seconds, probeScore: 100, streams: [audio], hasVideo: false, video: null, audio };
}
