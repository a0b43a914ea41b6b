import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { displaySize, MediaProbeError, parseFfmpegInfo, parseRate, probeMedia, requireMediaTools, runTool, type MediaProbe, type MediaTools } from '../src/index.js';

async function ffmpeg(bin: string, args: string[]): Promise<void> {
  const run = await runTool(bin, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args]);
  assert.equal(run.code, 0, run.stderr);
}

const isProbeError = (code: string) => (err: unknown) => {
  assert.ok(err instanceof MediaProbeError, `expected MediaProbeError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return true;
};

/** The fields both probes (ffprobe JSON, `ffmpeg -i`) must agree on. */
function essentials(p: MediaProbe) {
  return {
    hasVideo: p.hasVideo,
    video: p.video && { codec: p.video.codec, width: p.video.width, height: p.video.height, fps: p.video.fps },
    audio: p.audio && { codec: p.audio.codec, channels: p.audio.channels, sampleRate: p.audio.sampleRate },
    streamTypes: p.streams.map((s) => s.type),
  };
}

describe('probing real media made with ffmpeg, with ffprobe and with the `ffmpeg -i` fallback', () => {
  let dir: string;
  let tools: MediaTools;
  let withoutFfprobe: MediaTools;
  let wav: string;
  let mp4: string;
  let silentMp4: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-media-probe-'));
    tools = requireMediaTools(process.env);
    assert.ok(tools.ffprobe, 'these tests need ffprobe too (Debian: apt-get install ffmpeg)');
    withoutFfprobe = { ...tools, ffprobe: null };
    wav = join(dir, 'tone.wav');
    await ffmpeg(tools.ffmpeg, ['-f', 'lavfi', '-i', 'sine=f=440:r=22050:d=1.5', '-ac', '2', '-c:a', 'pcm_s16le', wav]);
    mp4 = join(dir, 'av.mp4');
    await ffmpeg(tools.ffmpeg, [
      '-f', 'lavfi', '-i', 'testsrc=s=320x240:r=25:d=2',
      '-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=2',
      '-c:v', 'mpeg4', '-c:a', 'aac', '-ac', '1', '-shortest', mp4,
    ]);
    silentMp4 = join(dir, 'video-only.mp4');
    await ffmpeg(tools.ffmpeg, ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=10:d=1', '-c:v', 'mpeg4', silentMp4]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads an audio-only WAV: duration, codec, channels and sample rate, no video', async () => {
    const p = await probeMedia(tools, wav);
    assert.equal(p.formatName, 'wav');
    assert.ok(Math.abs(p.durationSeconds! - 1.5) < 0.05, String(p.durationSeconds));
    assert.deepEqual(essentials(p), { hasVideo: false, video: null, audio: { codec: 'pcm_s16le', channels: 2, sampleRate: 22050 }, streamTypes: ['audio'] });
    assert.ok(Math.abs(p.audio!.durationSeconds! - 1.5) < 0.05, 'ffprobe states the stream’s own duration');
  });

  it('reads an MP4 with video and audio: picture size, frame rate, audio layout', async () => {
    const p = await probeMedia(tools, mp4);
    assert.match(p.formatName ?? '', /mp4/);
    assert.ok(Math.abs(p.durationSeconds! - 2) < 0.1, String(p.durationSeconds));
    assert.deepEqual(essentials(p), {
      hasVideo: true,
      video: { codec: 'mpeg4', width: 320, height: 240, fps: 25 },
      audio: { codec: 'aac', channels: 1, sampleRate: 48000 },
      streamTypes: ['video', 'audio'],
    });
    assert.equal(p.video!.index, 0);
    assert.ok(p.probeScore! > 25, String(p.probeScore));
  });

  it('reads a video without audio: audio is null', async () => {
    const p = await probeMedia(tools, silentMp4);
    assert.equal(p.audio, null);
    assert.deepEqual(p.video && { width: p.video.width, height: p.video.height, fps: p.video.fps }, { width: 160, height: 120, fps: 10 });
  });

  it('without ffprobe, parses `ffmpeg -i` into the same answer for all three files', async () => {
    for (const file of [wav, mp4, silentMp4]) {
      const viaFfprobe = await probeMedia(tools, file);
      const viaFfmpeg = await probeMedia(withoutFfprobe, file);
      assert.deepEqual(essentials(viaFfmpeg), essentials(viaFfprobe), file);
      assert.ok(Math.abs(viaFfmpeg.durationSeconds! - viaFfprobe.durationSeconds!) < 0.02, file);
      assert.equal(viaFfmpeg.formatName, viaFfprobe.formatName);
    }
  });

  it('calls noise UNSUPPORTED_MEDIA and an MP4 cut in half MEDIA_DECODE_ERROR, with either tool', async () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < 4000; i++) chunks.push(createHash('sha256').update(`noise:${i}`).digest());
    const noise = join(dir, 'noise');
    await writeFile(noise, Buffer.concat(chunks));
    const cut = join(dir, 'cut');
    const whole = await readFile(mp4);
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    for (const t of [tools, withoutFfprobe]) {
      await assert.rejects(probeMedia(t, noise), isProbeError('UNSUPPORTED_MEDIA'));
      await assert.rejects(probeMedia(t, cut), isProbeError('MEDIA_DECODE_ERROR'));
    }
  });

  it('quotes the tool’s last lines with URLs cut out', async () => {
    const err = await probeMedia(tools, 'http://127.0.0.1:9/secret-video?X-Signature=abc').catch((e: unknown) => e);
    assert.ok(err instanceof MediaProbeError, String(err));
    const quoted = String(err.details?.ffmpeg);
    assert.ok(quoted.length > 0);
    assert.doesNotMatch(quoted, /secret-video|X-Signature/);
  });

  it('stops the probe when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop probing'));
    await assert.rejects(probeMedia(tools, mp4, { signal: ac.signal }), /stop probing/);
  });

  it('reads rotation, sample aspect ratio and attached pictures from `ffmpeg -i` text', () => {
    const p = parseFfmpegInfo(
      [
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'input':",
        '  Duration: 00:01:02.50, start: 0.000000, bitrate: 1000 kb/s',
        '  Stream #0:0[0x1](und): Video: mjpeg (Baseline), yuvj420p, 300x300 (attached pic)',
        '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv), 720x576 [SAR 16:15 DAR 4:3], 1000 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)',
        '    Side data:',
        '      displaymatrix: rotation of -90.00 degrees',
        '  Stream #0:2[0x3](eng): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1(side), fltp, 384 kb/s (default)',
        '  Stream #0:3[0x4](eng): Subtitle: mov_text (tx3g / 0x67337874), 0 kb/s',
      ].join('\n'),
    );
    assert.ok(p);
    assert.equal(p.durationSeconds, 62.5);
    assert.deepEqual(p.video, { index: 1, codec: 'h264', width: 576, height: 768, storedWidth: 720, storedHeight: 576, fps: 29.97 });
    assert.deepEqual(p.audio && [p.audio.index, p.audio.channels, p.audio.sampleRate], [2, 6, 44100]);
    assert.deepEqual(p.streams.map((s) => s.type), ['video', 'video', 'audio', 'subtitle']);
    assert.equal(parseFfmpegInfo('input: Invalid data found when processing input'), null);
  });

  it('turns rates and stored sizes into frames per second and displayed sizes', () => {
    assert.equal(parseRate('30000/1001')?.toFixed(3), '29.970');
    assert.equal(parseRate('0/0'), null);
    assert.deepEqual(displaySize(720, 576, 16 / 15, null), { width: 768, height: 576 });
    assert.deepEqual(displaySize(1920, 1080, 1, 90), { width: 1080, height: 1920 });
  });
});
