import { open, type FileHandle } from 'node:fs/promises';
import { ServiceError } from '@ecg/service-kit';

/**
 * Reading the 16-bit PCM WAV that audio extraction writes (ffmpeg,
 * `-ac 1 -ar 16000 -c:a pcm_s16le`).
 *
 * The RIFF chunks are walked rather than assuming a 44-byte header: ffmpeg
 * puts a LIST/INFO chunk (encoder tag) before `data`, so in practice data
 * starts at byte 78, and other writers add `fact`, `bext` or padding. RF64
 * (what ffmpeg writes past 4 GiB) is understood through its `ds64` chunk.
 * A data size of 0 or 0xFFFFFFFF (written when the output was not seekable)
 * means "to the end of the file"; a declared size longer than the file is
 * cut to what is there.
 *
 * Samples map to [-1, 1) as s / 32768, so -32768 is exactly -1 and full
 * scale positive is 32767/32768.
 *
 * A malformed file is the extraction step's failure, so errors carry
 * AUDIO_EXTRACTION_ERROR.
 */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Number of samples (frames, as the file is mono). */
  totalSamples: number;
  /** The container ('RF64' past 4 GiB) and the data chunk's size as written, before 0/0xFFFFFFFF or a cut-off file were read as "to the end". */
  container: 'RIFF' | 'RF64';
  declaredDataBytes: number;
}

export interface WavReader extends WavInfo {
  /**
   * Fills `out` with samples [start, start + out.length); positions before 0
   * or past the end read as silence, which lets analysis frames overhang the
   * recording's ends.
   */
  readInto(start: number, out: Float32Array): Promise<void>;
  close(): Promise<void>;
}

const PCM = 1;
const EXTENSIBLE = 0xfffe;

function bad(path: string, why: string): ServiceError {
  return new ServiceError('AUDIO_EXTRACTION_ERROR', `the extracted audio ${path} is not a usable 16-bit mono PCM WAV file: ${why}`);
}

async function readExact(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Walks the chunks of an open WAV file and checks it is mono 16-bit PCM. */
export async function readWavInfo(fh: FileHandle, path: string): Promise<WavInfo> {
  const fileSize = (await fh.stat()).size;
  const head = await readExact(fh, 0, 12);
  const riff = head.subarray(0, 4).toString('latin1');
  if (head.length < 12 || (riff !== 'RIFF' && riff !== 'RF64') || head.subarray(8, 12).toString('latin1') !== 'WAVE') {
    throw bad(path, 'no RIFF/WAVE header');
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  let ds64DataSize: number | null = null;
  let pos = 12;
  while (pos + 8 <= fileSize) {
    const header = await readExact(fh, pos, 8);
    if (header.length < 8) break;
    const id = header.subarray(0, 4).toString('latin1');
    const size = header.readUInt32LE(4);
    const body = pos + 8;
    if (id === 'fmt ') {
      const f = await readExact(fh, body, Math.min(size, 40));
      if (f.length < 16) throw bad(path, 'fmt chunk is too short');
      let format = f.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its sub-format GUID.
      if (format === EXTENSIBLE && f.length >= 26) format = f.readUInt16LE(24);
      fmt = { format, channels: f.readUInt16LE(2), sampleRate: f.readUInt32LE(4), bits: f.readUInt16LE(14) };
    } else if (id === 'ds64') {
      const f = await readExact(fh, body, 16);
      if (f.length === 16) ds64DataSize = Number(f.readBigUInt64LE(8));
    } else if (id === 'data') {
      if (!fmt) throw bad(path, 'data chunk before fmt chunk');
      if (fmt.format !== PCM) throw bad(path, `sample format ${fmt.format} is not integer PCM`);
      if (fmt.bits !== 16) throw bad(path, `${fmt.bits}-bit samples (16 expected)`);
      if (fmt.channels !== 1) throw bad(path, `${fmt.channels} channels (mono expected)`);
      if (!(fmt.sampleRate > 0)) throw bad(path, 'sample rate 0');
      const available = fileSize - body;
      let bytes = riff === 'RF64' && size === 0xffffffff && ds64DataSize !== null ? ds64DataSize : size;
      if (bytes === 0 || bytes === 0xffffffff) bytes = available;
      bytes = Math.max(0, Math.min(bytes, available));
      return { sampleRate: fmt.sampleRate, channels: 1, bitsPerSample: 16, dataOffset: body, totalSamples: Math.floor(bytes / 2), container: riff, declaredDataBytes: size };
    }
    pos = body + size + (size & 1); // chunks are word-aligned: an odd-sized chunk is followed by a pad byte
  }
  throw bad(path, 'no data chunk');
}

/** Opens a WAV file for reading sample ranges; the caller closes it. */
export async function openWav(path: string): Promise<WavReader> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new ServiceError('AUDIO_EXTRACTION_ERROR', `cannot open the extracted audio ${path}: ${(err as Error).message}`);
  }
  let info: WavInfo;
  try {
    info = await readWavInfo(fh, path);
  } catch (err) {
    await fh.close();
    throw err;
  }
  let bytes = Buffer.alloc(0);
  return {
    ...info,
    async readInto(start: number, out: Float32Array): Promise<void> {
      out.fill(0);
      const from = Math.max(0, start);
      const to = Math.min(info.totalSamples, start + out.length);
      if (to <= from) return;
      const need = (to - from) * 2;
      if (bytes.length < need) bytes = Buffer.alloc(need);
      let got = 0;
      while (got < need) {
        const { bytesRead } = await fh.read(bytes, got, need - got, info.dataOffset + from * 2 + got);
        if (bytesRead === 0) break; // the file shrank under us: the rest stays silent
        got += bytesRead;
      }
      decodeS16le(bytes.subarray(0, got - (got & 1)), out, from - start);
    },
    close: () => fh.close(),
  };
}

/** Decodes little-endian 16-bit samples into out[at, ...] as s / 32768. */
export function decodeS16le(bytes: Uint8Array, out: Float32Array, at = 0): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.min(bytes.byteLength >> 1, out.length - at);
  for (let i = 0; i < n; i++) out[at + i] = view.getInt16(2 * i, true) / 32768;
}

/**
 * The whole file in memory: 4 bytes per sample, 3.8 MB per minute at 16 kHz.
 * Meant for short audio and tests; long recordings go through openWav in blocks.
 */
export async function readWav(path: string): Promise<{ sampleRate: number; samples: Float32Array }> {
  const reader = await openWav(path);
  try {
    const samples = new Float32Array(reader.totalSamples);
    await reader.readInto(0, samples);
    return { sampleRate: reader.sampleRate, samples };
  } finally {
    await reader.close();
  }
}
