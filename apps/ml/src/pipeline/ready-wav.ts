import { open } from 'node:fs/promises';
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

const PCM = 1;
const EXTENSIBLE = 0xfffe;
export const READY_SAMPLE_RATE = 16_000;

/** Chunks before `data` are few and small; a file that needs more reads than this is not the common case. */
const MAX_CHUNKS = 32;

export async function readyWav(path: string): Promise<ReadyWav | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const fileSize = (await fh.stat()).size;
    const read = async (position: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, position);
      return buf.subarray(0, bytesRead);
    };
    const head = await read(0, 12);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    let fmtOk = false;
    let pos = 12;
    for (let chunks = 0; chunks < MAX_CHUNKS && pos + 8 <= fileSize; chunks++) {
      const header = await read(pos, 8);
      if (header.length < 8) return null;
      const id = header.toString('latin1', 0, 4);
      const size = header.readUInt32LE(4);
      const body = pos + 8;
      if (id === 'fmt ') {
        const f = await read(body, Math.min(size, 40));
        if (f.length < 16) return null;
        let format = f.readUInt16LE(0);
        // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its sub-format GUID.
        if (format === EXTENSIBLE) format = f.length >= 26 ? f.readUInt16LE(24) : 0;
        const channels = f.readUInt16LE(2);
        const sampleRate = f.readUInt32LE(4);
        const blockAlign = f.readUInt16LE(12);
        const bits = f.readUInt16LE(14);
        fmtOk = format === PCM && channels === 1 && sampleRate === READY_SAMPLE_RATE && bits === 16 && blockAlign === 2;
        if (!fmtOk) return null;
      } else if (id === 'data') {
        if (!fmtOk) return null;
        const complete = size > 0 && size !== 0xffffffff && size % 2 === 0 && body + size <= fileSize;
        return complete ? { seconds: size / 2 / READY_SAMPLE_RATE } : null;
      }
      pos = body + size + (size & 1); // word-aligned chunks: an odd-sized chunk is followed by a pad byte
    }
    return null;
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
