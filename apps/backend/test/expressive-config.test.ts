import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { resolveFfmpegTools } from '../src/renders/ffmpeg-tools.js';
import { renderDownloadName } from '../src/renders/render-view.js';

const SECRETS = { ML_API_TOKEN: 'tok', CALLBACK_SECRET: 'cb', STORAGE_SIGNING_SECRET: 'sig' };

describe('render configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-render-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders one video at a time with x264 veryfast, CRF 20 and a 60 s lease by default', () => {
    const c = loadConfig({ DATA_DIR: dir, ...SECRETS });
    assert.deepEqual(c.render, {
      concurrency: 1,
      x264Preset: 'veryfast',
      crf: 20,
      leaseSeconds: 60,
      timeoutSeconds: 21600,
      maxQueued: 20,
      maxPerClient: 3,
      pollIntervalMs: 1000,
      ffmpegPath: undefined,
      ffprobePath: undefined,
    });
  });

  it('reads every RENDER_* variable, FFMPEG_PATH and FFPROBE_PATH', () => {
    const c = loadConfig({
      DATA_DIR: dir,
      ...SECRETS,
      RENDER_CONCURRENCY: '3',
      RENDER_X264_PRESET: 'ultrafast',
      RENDER_CRF: '28',
      RENDER_LEASE_SECONDS: '30',
      RENDER_TIMEOUT_SECONDS: '600',
      RENDER_MAX_QUEUED: '5',
      RENDER_MAX_PER_CLIENT: '2',
      RENDER_POLL_INTERVAL_MS: '250',
      FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg',
      FFPROBE_PATH: '/opt/ffmpeg/bin/ffprobe',
    });
    assert.deepEqual(c.render, {
      concurrency: 3,
      x264Preset: 'ultrafast',
      crf: 28,
      leaseSeconds: 30,
      timeoutSeconds: 600,
      maxQueued: 5,
      maxPerClient: 2,
      pollIntervalMs: 250,
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg/bin/ffprobe',
    });
  });

  it('refuses a concurrency of 0, an unknown preset and a CRF past 51, naming the variable', () => {
    for (const [name, value] of [['RENDER_CONCURRENCY', '0'], ['RENDER_X264_PRESET', 'ludicrous'], ['RENDER_CRF', '60']] as const) {
      assert.throws(() => loadConfig({ DATA_DIR: dir, ...SECRETS, [name]: value }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, new RegExp(name));
        return true;
      });
    }
  });

  it('takes FFMPEG_PATH first, the ffprobe beside it, and PATH otherwise; no bundled fallback, a missing ffmpeg is a sentence', async () => {
    const bin = join(dir, 'bin');
    const other = join(dir, 'other');
    for (const [folder, names] of [[bin, ['ffmpeg', 'ffprobe']], [other, ['ffmpeg', 'ffprobe']]] as const) {
      await mkdir(folder, { recursive: true });
      for (const name of names) {
        await writeFile(join(folder, name), '#!/bin/sh\n');
        await chmod(join(folder, name), 0o755);
      }
    }
    assert.deepEqual(resolveFfmpegTools({ FFMPEG_PATH: join(bin, 'ffmpeg'), PATH: other }), {
      ok: true,
      tools: { ffmpeg: join(bin, 'ffmpeg'), ffprobe: join(bin, 'ffprobe'), source: 'FFMPEG_PATH' },
    });
    assert.deepEqual(resolveFfmpegTools({ PATH: `/nonexistent:${other}` }), {
      ok: true,
      tools: { ffmpeg: join(other, 'ffmpeg'), ffprobe: join(other, 'ffprobe'), source: 'PATH' },
    });
    const missing = resolveFfmpegTools({ PATH: '/nonexistent' });
    assert.equal(missing.ok, false, 'a render then fails with the sentence');
    assert.match(!missing.ok ? missing.problem : '', /^ffmpeg not found on PATH: install it .*or set FFMPEG_PATH/);
  });

  it('names a render download after the video, Korean kept', () => {
    assert.equal(renderDownloadName('interview final.mov'), 'interview final-captions.mp4');
    assert.equal(renderDownloadName('회의_녹화.mp4'), '회의_녹화-captions.mp4');
    assert.equal(renderDownloadName(null), 'captions.mp4');
  });
});
