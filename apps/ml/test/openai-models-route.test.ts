import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MlModelsResponse } from '@ecg/contracts';
import { listInstalledModels, modelNameOf } from '../src/routes/models.js';
import { ROUTE_TOKEN, startRouteApp, type RouteApp } from './support/route-app.js';

describe('the installed models (GET /api/models, behind the backend’s /v1/models)', () => {
  let dir: string;
  let elsewhere: string;
  let r: RouteApp;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-models-'));
    elsewhere = await mkdtemp(join(tmpdir(), 'ecg-models-other-'));
    await writeFile(join(dir, 'ggml-tiny.bin'), Buffer.alloc(10));
    await writeFile(join(dir, 'ggml-large-v3-turbo-q5_0.bin'), Buffer.alloc(20));
    await writeFile(join(dir, 'ggml-silero-v6.2.0.bin'), Buffer.alloc(5));
    await writeFile(join(dir, 'ggml-base.bin.part'), Buffer.alloc(5));
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(elsewhere, 'micro-test.bin'), Buffer.alloc(7));
    r = await startRouteApp({
      modelsDir: dir,
      readiness: async () => ({
        ready: true,
        model: { name: 'micro-test', path: join(elsewhere, 'micro-test.bin') },
        binaryPath: '/nowhere/whisper-cli',
        tools: { ffmpeg: 'ffmpeg', ffprobe: null, source: 'PATH' },
        vadModelPath: undefined,
        vadBinaryPath: undefined,
      }),
    });
  });
  after(async () => {
    await r.close();
    await rm(dir, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('names a model by its ggml file, and no other file (the VAD model, partial downloads) is one', () => {
    assert.equal(modelNameOf('ggml-large-v3-turbo-q5_0.bin'), 'large-v3-turbo-q5_0');
    assert.equal(modelNameOf('ggml-silero-v6.2.0.bin'), null);
    assert.equal(modelNameOf('ggml-base.bin.part'), null);
    assert.equal(modelNameOf('model.bin'), null);
  });

  it('lists the ggml files of MODELS_DIR and the active model kept elsewhere, with sizes', async () => {
    const res = await r.app.inject({ method: 'GET', url: '/api/models', headers: { authorization: `Bearer ${ROUTE_TOKEN}` } });
    assert.equal(res.statusCode, 200, res.body);
    const body = MlModelsResponse.parse(res.json());
    assert.equal(body.active, 'micro-test');
    assert.deepEqual(
      body.models.map((m) => [m.name, m.file, m.bytes]),
      [
        ['large-v3-turbo-q5_0', 'ggml-large-v3-turbo-q5_0.bin', 20],
        ['micro-test', 'micro-test.bin', 7],
        ['tiny', 'ggml-tiny.bin', 10],
      ],
    );
    assert.ok(body.models.every((m) => m.created > 1_600_000_000), 'created is the file time in Unix seconds');
  });

  it('answers 401 without the ML token', async () => {
    const res = await r.app.inject({ method: 'GET', url: '/api/models' });
    assert.equal(res.statusCode, 401);
    const wrong = await r.app.inject({ method: 'GET', url: '/api/models', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
  });

  it('lists only the active model when MODELS_DIR does not exist', async () => {
    const models = await listInstalledModels(join(dir, 'missing'), { name: 'micro-test', path: join(elsewhere, 'micro-test.bin') });
    assert.deepEqual(models.map((m) => m.name), ['micro-test']);
  });
});
