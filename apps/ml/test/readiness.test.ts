import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { checkReadiness } from '../src/readiness.js';
import { requireWhisperCli, VAD_MODEL } from './helpers/fixtures.js';
import { testModelPath } from './helpers/test-model.js';

describe('readiness: says which part is missing', () => {
  let dir: string;
  let model: string;
  before(async () => {
    requireWhisperCli();
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-ready-'));
    model = await testModelPath('micro');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const config = (env: Record<string, string>) => loadConfig({ DATA_DIR: dir, ML_API_TOKEN: 't', CALLBACK_SECRET: 's', ...env });

  it('is ready with a ggml model, whisper-cli and ffmpeg; VAD auto follows the VAD file', async () => {
    const r = await checkReadiness(config({ WHISPER_MODEL: model, WHISPER_VAD_MODEL: VAD_MODEL }), process.env);
    assert.equal(r.ready, true);
    assert.equal(r.ready && r.vadModelPath, VAD_MODEL);
    const off = await checkReadiness(config({ WHISPER_MODEL: model, WHISPER_VAD_MODEL: join(dir, 'none.bin') }), process.env);
    assert.equal(off.ready && off.vadModelPath, undefined);
  });

  it('names a missing model file and how to get it', async () => {
    const r = await checkReadiness(config({ WHISPER_MODEL: 'base' }), process.env);
    assert.equal(r.ready, false);
    assert.match(!r.ready ? r.reason : '', /model file missing: .*ggml-base\.bin.*npm run model:download base/);
  });

  it('names a file that is not a ggml model', async () => {
    const junk = join(dir, 'ggml-junk.bin');
    await writeFile(junk, 'this is not a model at all, not even close to one......');
    const r = await checkReadiness(config({ WHISPER_MODEL: junk }), process.env);
    assert.match(!r.ready ? r.reason : '', /not a whisper\.cpp ggml model/);
  });

  it('names a missing whisper-cli binary', async () => {
    const r = await checkReadiness(config({ WHISPER_MODEL: model }), { ...process.env, WHISPER_CLI_PATH: join(dir, 'no-whisper-cli') });
    assert.match(!r.ready ? r.reason : '', /WHISPER_CLI_PATH=.* does not exist/);
  });

  it('names an FFMPEG_PATH that is not an executable file, and how to fix it', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    const r = await checkReadiness(config({ WHISPER_MODEL: model, FFMPEG_PATH: missing }), process.env);
    assert.equal(r.ready, false);
    assert.equal(!r.ready && r.reason, `FFMPEG_PATH=${missing} is not an executable file: point it at an ffmpeg binary, or unset it to use the ffmpeg on PATH`);
  });

  it('with no ffmpeg on PATH, is ready on the one bundled in @ffmpeg-installer/ffmpeg', async () => {
    const r = await checkReadiness(config({ WHISPER_MODEL: model }), { ...process.env, PATH: dir });
    assert.equal(r.ready && r.tools.source, '@ffmpeg-installer/ffmpeg');
  });

  it('names a missing VAD model when WHISPER_VAD=on', async () => {
    const r = await checkReadiness(config({ WHISPER_MODEL: model, WHISPER_VAD: 'on', WHISPER_VAD_MODEL: join(dir, 'none.bin') }), process.env);
    assert.match(!r.ready ? r.reason : '', /WHISPER_VAD=on but the VAD model is missing/);
  });
});
