import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '@ecg/service-kit';
import { extractAudio, parseProgressLine } from '../src/pipeline/extract-audio.js';
import { resolveFfmpegTools, type FfmpegTools } from '../src/pipeline/ffmpeg.js';
import { checkTranscribable, classifyProbeFailure, parseFfmpegInfo, probeMedia } from '../src/pipeline/probe-media.js';
import { JFK_WAV } from './helpers/fixtures.js';
import { muxIntoMp4, randomFile, truncateHalf, videoWithoutAudio } from './support/media.js';

const isCode = (code: string) => (err: unknown) => {
  assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return true;
};

describe('probing and extracting media with the real ffmpeg', () => {
  let dir: string;
  let tools: FfmpegTools;
  let mp4: string;
  let faststart: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-media-'));
    tools = resolveFfmpegTools(process.env);
    mp4 = await muxIntoMp4(JFK_WAV, join(dir, 'jfk.mp4'));
    faststart = await muxIntoMp4(JFK_WAV, join(dir, 'jfk-faststart.mp4'), { faststart: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds ffmpeg and ffprobe on PATH, and refuses an FFMPEG_PATH that does not exist', () => {
    assert.ok(tools.ffmpeg.endsWith('ffmpeg'));
    assert.ok(tools.ffprobe?.endsWith('ffprobe'));
    assert.throws(() => resolveFfmpegTools({ FFMPEG_PATH: join(dir, 'nope'), PATH: process.env.PATH }), /FFMPEG_PATH/);
  });

  it('falls back to the ffmpeg bundled with @ffmpeg-installer when none is on PATH', () => {
    const t = resolveFfmpegTools({ PATH: dir });
    assert.equal(t.source, '@ffmpeg-installer/ffmpeg');
    assert.equal(t.ffprobe, null);
  });

  it('probes an MP4 with ffprobe: audio present, 11 s long', async () => {
    const info = await probeMedia(tools, mp4);
    assert.equal(info.audio !== null, true);
    assert.equal(info.hasVideo, true);
    assert.ok(info.durationSeconds! > 10.5 && info.durationSeconds! < 11.5, String(info.durationSeconds));
  });

  it('probes the same MP4 by parsing `ffmpeg -i` when there is no ffprobe', async () => {
    const info = await probeMedia({ ...tools, ffprobe: null }, mp4);
    assert.equal(info.audio !== null, true);
    assert.ok(info.durationSeconds! > 10.5 && info.durationSeconds! < 11.5);
  });

  it('calls random bytes UNSUPPORTED_MEDIA, with and without ffprobe', async () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const junk = await randomFile(join(dir, `junk-${seed}`), 200_000, seed);
      await assert.rejects(probeMedia(tools, junk), isCode('UNSUPPORTED_MEDIA'));
      await assert.rejects(probeMedia({ ...tools, ffprobe: null }, junk), isCode('UNSUPPORTED_MEDIA'));
    }
  });

  it('calls noise that ffmpeg can only guess at (raw H.263, score 25) UNSUPPORTED_MEDIA', async () => {
    // Seed found by trying: this noise passes ffprobe as raw H.263 with ffmpeg's "low score" warning.
    const noise = await randomFile(join(dir, 'h263-noise'), 200_000, 'noise-122');
    await assert.rejects(probeMedia(tools, noise), isCode('UNSUPPORTED_MEDIA'));
    await assert.rejects(probeMedia({ ...tools, ffprobe: null }, noise), isCode('UNSUPPORTED_MEDIA'));
  });

  it('calls an MP4 cut in half (index lost) MEDIA_DECODE_ERROR', async () => {
    const cut = await truncateHalf(mp4, join(dir, 'cut'));
    await assert.rejects(probeMedia(tools, cut), isCode('MEDIA_DECODE_ERROR'));
  });

  it('classifies ffmpeg messages: a recognised container is damaged media, a low-score guess is not media', () => {
    assert.equal(classifyProbeFailure('[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\ninput: Invalid data found when processing input'), 'MEDIA_DECODE_ERROR');
    assert.equal(classifyProbeFailure('[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] Format mov,mp4 detected only with low score of 1, misdetection possible!'), 'UNSUPPORTED_MEDIA');
    assert.equal(classifyProbeFailure('input: Invalid data found when processing input'), 'UNSUPPORTED_MEDIA');
    assert.equal(parseFfmpegInfo('input: Invalid data found when processing input'), null);
  });

  it('refuses a video without audio (NO_AUDIO_TRACK) and media over the length limit (MEDIA_TOO_LONG)', async () => {
    const silentless = await probeMedia(tools, await videoWithoutAudio(join(dir, 'noaudio.mp4')));
    assert.throws(() => checkTranscribable(silentless, 100), isCode('NO_AUDIO_TRACK'));
    const info = await probeMedia(tools, mp4);
    assert.throws(() => checkTranscribable(info, 5), isCode('MEDIA_TOO_LONG'));
    assert.doesNotThrow(() => checkTranscribable(info, 60));
  });

  it('extracts 16 kHz mono PCM, reporting progress up to the end', async () => {
    const out = join(dir, 'out.wav');
    const fractions: number[] = [];
    const r = await extractAudio({ tools, inputPath: mp4, outputPath: out, expectedSeconds: 11, expectedIsAudioDuration: true, maxMediaSeconds: 100, onProgress: (f) => fractions.push(f) });
    assert.ok(r.seconds > 10.5 && r.seconds < 11.5, String(r.seconds));
    const size = (await stat(out)).size;
    assert.ok(Math.abs(size / 32000 - r.seconds) < 0.1);
    assert.equal(fractions.at(-1), 1);
    const info = await probeMedia(tools, out);
    assert.equal(info.audio !== null, true);
  });

  it('calls a fast-start MP4 cut in half MEDIA_DECODE_ERROR: its index promises more audio than there is', async () => {
    const cut = await truncateHalf(faststart, join(dir, 'cut-faststart'));
    const info = await probeMedia(tools, cut); // the index is intact, so probing succeeds
    await assert.rejects(
      extractAudio({ tools, inputPath: cut, outputPath: join(dir, 'cut.wav'), expectedSeconds: info.audio?.durationSeconds ?? null, expectedIsAudioDuration: true, maxMediaSeconds: 100 }),
      isCode('MEDIA_DECODE_ERROR'),
    );
  });

  it('stops ffmpeg when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await assert.rejects(
      extractAudio({ tools, inputPath: mp4, outputPath: join(dir, 'aborted.wav'), expectedSeconds: 11, expectedIsAudioDuration: true, maxMediaSeconds: 100, signal: controller.signal }),
      /stop now/,
    );
  });

  it('reads ffmpeg -progress lines in both spellings', () => {
    assert.equal(parseProgressLine('out_time_us=2500000'), 2.5);
    assert.equal(parseProgressLine('out_time_ms=2500000'), 2.5);
    assert.equal(parseProgressLine('out_time=00:01:02.500000'), 62.5);
    assert.equal(parseProgressLine('out_time=-577014:32:22.77'), 0);
    assert.equal(parseProgressLine('progress=end'), null);
  });
});
