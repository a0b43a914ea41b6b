/**
 * The pipeline's short cut for uploads that already are 16 kHz mono 16-bit
 * PCM WAV (ready-wav.ts): which headers qualify, and, through the real
 * pipeline and whisper-cli, that such a file is transcribed without ffmpeg
 * while anything else still goes through it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '@ecg/service-kit';
import { readyWav, readyWavInfo } from '../src/pipeline/ready-wav.js';
import { runJob, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { ffmpeg } from './helpers/media.js';
import { SECRET } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

interface Header {
  riff?: string;
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  /** Chunks written between fmt and data. */
  extra?: Buffer[];
  /** The data chunk's declared size; default the samples' length. */
  declared?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this sub-format. */
  subFormat?: number;
}

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function wav(samples: Buffer, h: Header = {}): Buffer {
  const channels = h.channels ?? 1;
  const rate = h.rate ?? 16_000;
  const bits = h.bits ?? 16;
  const align = (channels * bits) / 8;
  const fmt = Buffer.alloc(h.subFormat === undefined ? 16 : 40);
  fmt.writeUInt16LE(h.subFormat === undefined ? (h.format ?? 1) : 0xfffe, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * align, 8);
  fmt.writeUInt16LE(align, 12);
  fmt.writeUInt16LE(bits, 14);
  if (h.subFormat !== undefined) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(h.subFormat, 24);
  }
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'latin1');
  dataHead.writeUInt32LE(h.declared ?? samples.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), ...(h.extra ?? []), dataHead, samples]);
  const riff = Buffer.alloc(8);
  riff.write(h.riff ?? 'RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

describe('readyWav', () => {
  let dir: string;
  const samples = Buffer.alloc(32_000 * 2); // 2 s of silence
  const check = async (bytes: Buffer) => {
    const path = join(dir, `${randomUUID()}.wav`);
    await writeFile(path, bytes);
    return readyWav(path);
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ready-wav-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes 16 kHz mono 16-bit PCM with its duration, with other chunks before the data and as EXTENSIBLE', async () => {
    assert.deepEqual(await check(wav(samples)), { seconds: 2 });
    assert.deepEqual(await check(wav(samples, { extra: [chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00odd!!', 'latin1')), chunk('fact', Buffer.alloc(4))] })), { seconds: 2 });
    assert.deepEqual(await check(wav(samples, { subFormat: 1 })), { seconds: 2 });
    assert.deepEqual(await check(await readFile(JFK_WAV)), { seconds: 176_000 / 16_000 }, 'jfk.wav: 176 000 samples behind a LIST chunk');
  });

  it('leaves everything else to ffmpeg', async () => {
    const cases: [string, Buffer][] = [
      ['stereo', wav(samples, { channels: 2 })],
      ['44.1 kHz', wav(samples, { rate: 44_100 })],
      ['8-bit', wav(samples, { bits: 8 })],
      ['float', wav(samples, { format: 3, bits: 32 })],
      ['EXTENSIBLE float', wav(samples, { subFormat: 3 })],
      ['a size written by a writer that could not seek', wav(samples, { declared: 0xffffffff })],
      ['a zero size', wav(samples, { declared: 0 })],
      ['a data chunk longer than the file (a cut-off upload)', wav(samples, { declared: samples.length + 2 })],
      ['an odd byte count', wav(Buffer.alloc(3))],
      ['RF64', wav(samples, { riff: 'RF64' })],
      ['not RIFF', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(100)])],
      ['a header cut short', wav(samples).subarray(0, 30)],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [name, bytes] of cases) assert.equal(await check(bytes), null, name);
  });

  it('describes a ready file as audio-only media of its length', () => {
    const info = readyWavInfo({ seconds: 11 });
    assert.equal(info.video, null);
    assert.equal(info.durationSeconds, 11);
    assert.equal(info.audio?.durationSeconds, 11);
    assert.equal(info.audio?.sampleRate, 16_000);
  });
});

describe('the pipeline with a ready WAV', () => {
  let work: string;
  let standIn: StandIn;
  let deps: PipelineDeps;
  const urls: Record<string, string> = {};

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-ready-'));
    standIn = await startStandIn({ secret: SECRET });
    const stereo = join(work, 'jfk-stereo.wav');
    await ffmpeg(['-i', JFK_WAV, '-ac', '2', '-c:a', 'pcm_s16le', stereo]);
    // The same samples as jfk.wav, but with a data size of 0xFFFFFFFF: not ready, so ffmpeg reads it.
    const unsized = Buffer.from(await readFile(JFK_WAV));
    unsized.writeUInt32LE(0xffffffff, unsized.indexOf('data', 12, 'latin1') + 4);
    const unsizedPath = join(work, 'jfk-unsized.wav');
    await writeFile(unsizedPath, unsized);
    urls.ready = standIn.serve('jfk.wav', JFK_WAV);
    urls.stereo = standIn.serve('jfk-stereo.wav', stereo);
    urls.unsized = standIn.serve('jfk-unsized.wav', unsizedPath);
    deps = { ...(await testPipelineDeps(work, standIn.origin)), maxMediaSeconds: 60 };
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  const run = (url: string, d: PipelineDeps) => runJob({ jobId: randomUUID(), videoUrl: url, language: 'en' }, d, { signal: new AbortController().signal, onProgress: () => {} });
  // A unit-test stand-in for a machine without ffmpeg: tools that cannot run.
  const noFfmpeg = () => ({ ...deps, tools: { ...deps.tools, ffmpeg: join(work, 'no-ffmpeg'), ffprobe: join(work, 'no-ffprobe') } });

  it('transcribes a ready WAV without running ffmpeg, to the same result as through ffmpeg', async () => {
    const direct = await run(urls.ready!, noFfmpeg());
    assert.equal(direct.result.duration, 11);
    const viaFfmpeg = await run(urls.unsized!, deps);
    assert.deepEqual(
      direct.result.segments.map((s) => [s.start, s.end, s.text]),
      viaFfmpeg.result.segments.map((s) => [s.start, s.end, s.text]),
      'whisper read the same samples both ways',
    );
    assert.ok(direct.waveform, 'the analysis read the file too');
  });

  it('still sends anything else through ffmpeg', async () => {
    await assert.rejects(run(urls.stereo!, noFfmpeg()), /no-ffprobe|no-ffmpeg/, 'a stereo WAV is probed and decoded by the media tools, which are not there');
    const out = await run(urls.stereo!, deps);
    assert.ok(Math.abs((out.result.duration ?? 0) - 11) < 0.05, `duration ${out.result.duration}`);
  });

  it('refuses a ready WAV longer than MAX_MEDIA_SECONDS with MEDIA_TOO_LONG', async () => {
    await assert.rejects(run(urls.ready!, { ...noFfmpeg(), maxMediaSeconds: 5 }), (err) => isServiceError(err) && err.code === 'MEDIA_TOO_LONG');
  });
});
