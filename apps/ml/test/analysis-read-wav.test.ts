import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWav, readWav } from '../src/analysis/read-wav.js';
import { ServiceError } from '@ecg/service-kit';
import { JFK_WAV } from './helpers/fixtures.js';
import { ffmpeg } from './helpers/media.js';

const isExtractionError = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
  assert.equal(err.code, 'AUDIO_EXTRACTION_ERROR');
  assert.match(err.message, pattern);
  return true;
};

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function fmtChunk(channels = 1, bits = 16, format = 1, rate = 16000): Buffer {
  const f = Buffer.alloc(16);
  f.writeUInt16LE(format, 0);
  f.writeUInt16LE(channels, 2);
  f.writeUInt32LE(rate, 4);
  f.writeUInt32LE((rate * channels * bits) / 8, 8);
  f.writeUInt16LE((channels * bits) / 8, 12);
  f.writeUInt16LE(bits, 14);
  return chunk('fmt ', f);
}

/** A WAV built by hand, so the chunk layout is exactly what the test says. */
function wav(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

const pcm = (values: number[]) => Buffer.from(new Int16Array(values).buffer);
const KNOWN = [0, 1, -1, 16384, -16384, 32767, -32768, 1234, -4321];

describe('reading the 16-bit mono WAV that audio extraction writes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-wav-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('maps samples to [-1, 1) as s / 32768: -32768 is -1, 32767 just below 1', async () => {
    const path = join(dir, 'known.wav');
    await writeFile(path, wav([fmtChunk(), chunk('data', pcm(KNOWN))]));
    const { sampleRate, samples } = await readWav(path);
    assert.equal(sampleRate, 16000);
    assert.deepEqual([...samples], KNOWN.map((v) => v / 32768));
  });

  it('walks the chunks instead of assuming a 44-byte header (odd-sized chunk with its pad byte before data)', async () => {
    const path = join(dir, 'chunks.wav');
    await writeFile(path, wav([chunk('junk', Buffer.from('odd')), fmtChunk(), chunk('LIST', Buffer.alloc(26, 7)), chunk('data', pcm(KNOWN))]));
    const { samples } = await readWav(path);
    assert.deepEqual([...samples], KNOWN.map((v) => v / 32768));
  });

  it('reads what ffmpeg writes (a LIST chunk moves data past byte 44) sample for sample', async () => {
    const raw = join(dir, 'known.pcm');
    const out = join(dir, 'ffmpeg.wav');
    await writeFile(raw, pcm(KNOWN));
    await ffmpeg(['-f', 's16le', '-ar', '16000', '-ac', '1', '-i', raw, '-c:a', 'pcm_s16le', out]);
    const reader = await openWav(out);
    await reader.close();
    assert.ok(reader.dataOffset > 44, `data at ${reader.dataOffset}`);
    assert.deepEqual([...(await readWav(out)).samples], KNOWN.map((v) => v / 32768));
  });

  it('reads the fixture: 11 s at 16 kHz, every sample of the data chunk', async () => {
    const reader = await openWav(JFK_WAV);
    await reader.close();
    const bytes = await readFile(JFK_WAV);
    assert.equal(reader.sampleRate, 16000);
    assert.equal(reader.totalSamples, 176000);
    const { samples } = await readWav(JFK_WAV);
    const view = new DataView(bytes.buffer, bytes.byteOffset + reader.dataOffset);
    for (const i of [0, 1, 5000, 88000, 175999]) assert.equal(samples[i], view.getInt16(2 * i, true) / 32768);
  });

  it('reads ranges through a file handle, silent before the start and past the end', async () => {
    const path = join(dir, 'range.wav');
    await writeFile(path, wav([fmtChunk(), chunk('data', pcm(KNOWN))]));
    const reader = await openWav(path);
    try {
      const out = new Float32Array(6);
      await reader.readInto(-2, out);
      assert.deepEqual([...out], [0, 0, ...KNOWN.slice(0, 4).map((v) => v / 32768)]);
      await reader.readInto(KNOWN.length - 2, out);
      assert.deepEqual([...out], [...KNOWN.slice(-2).map((v) => v / 32768), 0, 0, 0, 0]);
    } finally {
      await reader.close();
    }
  });

  it('takes a data size of 0xFFFFFFFF (unseekable output) to mean "to the end of the file"', async () => {
    const data = chunk('data', pcm(KNOWN));
    data.writeUInt32LE(0xffffffff, 4);
    const path = join(dir, 'streamed.wav');
    await writeFile(path, wav([fmtChunk(), data]));
    assert.equal((await readWav(path)).samples.length, KNOWN.length);
  });

  it('refuses stereo, 24-bit and float WAVs with AUDIO_EXTRACTION_ERROR', async () => {
    for (const [name, fmt, why] of [
      ['stereo', fmtChunk(2), /2 channels/],
      ['24bit', fmtChunk(1, 24), /24-bit/],
      ['float', fmtChunk(1, 32, 3), /format 3/],
    ] as const) {
      const path = join(dir, `${name}.wav`);
      await writeFile(path, wav([fmt, chunk('data', Buffer.alloc(12))]));
      await assert.rejects(readWav(path), isExtractionError(why));
    }
  });

  it('refuses a file that is not a WAV, one without a data chunk, and a missing file', async () => {
    const text = join(dir, 'text.wav');
    await writeFile(text, 'this is not audio at all');
    await assert.rejects(readWav(text), isExtractionError(/RIFF/));
    const noData = join(dir, 'nodata.wav');
    await writeFile(noData, wav([fmtChunk()]));
    await assert.rejects(readWav(noData), isExtractionError(/no data chunk/));
    await assert.rejects(readWav(join(dir, 'absent.wav')), isExtractionError(/cannot open/));
  });
});
