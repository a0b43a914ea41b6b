import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelHeader } from '../src/models/inspect-model.js';
import { GGML_MAGIC, TEST_MODEL_SHAPES, melFilterbank, syntheticToken, toHalf, writeTestModel } from '../src/models/make-test-model.js';
import { defaultVadModelPath, resolveModelPath } from '../src/models/resolve-model.js';
import { MODEL_NAMES, modelCatalog } from '../src/models/model-catalog.js';
import { testModelPath } from './helpers/test-model.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-inspect-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the generated micro model has the header whisper.cpp expects for a multilingual model', async () => {
  const h = await readModelHeader(await testModelPath('micro'));
  assert.deepEqual(h, { ...TEST_MODEL_SHAPES.micro, multilingual: true });
});

test('the test model is deterministic for a seed and differs for another seed', () => {
  const a = join(dir, 'a.bin');
  const b = join(dir, 'b.bin');
  const c = join(dir, 'c.bin');
  writeTestModel(a, TEST_MODEL_SHAPES.micro, 7);
  writeTestModel(b, TEST_MODEL_SHAPES.micro, 7);
  writeTestModel(c, TEST_MODEL_SHAPES.micro, 8);
  const sha = (p: string) => createHash('sha1').update(readFileSync(p)).digest('hex');
  assert.equal(sha(a), sha(b));
  assert.notEqual(sha(a), sha(c));
  const size = statSync(a).size;
  assert.ok(size > 4e6 && size < 12e6, `a few MB, got ${size}`);
});

test('the mel filterbank is librosa’s slaney-normalised one (80 × 201, triangular, area-normalised)', () => {
  const f = melFilterbank(80);
  assert.equal(f.length, 80 * 201);
  // librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)[0, 1] (the value in Whisper's mel_filters.npz)
  assert.ok(Math.abs(f[1]! - 0.02486259) < 1e-6, `got ${f[1]}`);
  for (let m = 0; m < 80; m++) {
    const row = f.subarray(m * 201, (m + 1) * 201);
    assert.ok(row.some((v) => v > 0), `filter ${m} is not empty`);
    assert.ok(row.every((v) => v >= 0));
  }
});

test('vocabulary pieces are deterministic printable text and about half start a word', () => {
  assert.equal(syntheticToken(220), ' ');
  assert.equal(syntheticToken(0), '!');
  const pieces = Array.from({ length: 50257 }, (_, i) => syntheticToken(i));
  assert.ok(pieces.every((p) => /^[ -~]+$/.test(p)));
  const spaced = pieces.filter((p) => p.startsWith(' ')).length;
  assert.ok(spaced > 20000 && spaced < 30000);
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
});

test('a file that is not a ggml model is refused with a clear reason', async () => {
  const bad = join(dir, 'bad.bin');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  await assert.rejects(readModelHeader(bad), /not a whisper\.cpp ggml model/);
  const short = join(dir, 'short.bin');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(GGML_MAGIC, 0);
  writeFileSync(short, head);
  await assert.rejects(readModelHeader(short), /not a whisper\.cpp ggml model/);
  await assert.rejects(readModelHeader(join(dir, 'nope.bin')), /not found/);
  const weird = Buffer.alloc(48);
  weird.writeUInt32LE(GGML_MAGIC, 0);
  writeFileSync(join(dir, 'weird.bin'), weird);
  await assert.rejects(readModelHeader(join(dir, 'weird.bin')), /implausible/);
});

test('model names resolve to whisper.cpp file names; paths pass through; unknown names list the choices', () => {
  assert.deepEqual(resolveModelPath('base', '/m'), { name: 'base', path: '/m/ggml-base.bin' });
  assert.deepEqual(resolveModelPath('/x/ggml-tiny.en.bin', '/m'), { name: 'tiny.en', path: '/x/ggml-tiny.en.bin' });
  assert.equal(resolveModelPath('custom.bin', '/m').name, 'custom');
  assert.throws(() => resolveModelPath('huge', '/m'), /unknown model "huge".*large-v3-turbo/);
  assert.equal(defaultVadModelPath('/m'), '/m/ggml-silero-v6.2.0.bin');
});

test('the catalog has every whisper.cpp model with the published URL and SHA-1, and the VAD model', () => {
  const cat = modelCatalog();
  assert.deepEqual(MODEL_NAMES, ['tiny', 'tiny.en', 'base', 'base.en', 'small', 'small.en', 'medium', 'medium.en', 'large-v1', 'large-v2', 'large-v3', 'large-v3-turbo', 'vad']);
  assert.equal(cat.get('base.en')!.url, 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.en.bin');
  assert.equal(cat.get('tiny')!.sha1, 'bd577a113a864445d4c299885e0cb97d4ba92b5f');
  assert.equal(cat.get('vad')!.url, 'https://huggingface.co/ggml-org/whisper-vad/resolve/main/ggml-silero-v6.2.0.bin');
  assert.equal(modelCatalog('http://mirror.local/m').get('small')!.url, 'http://mirror.local/m/ggml-small.bin');
});
