import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ecgCacheDir } from '../../src/engine/build-whisper.js';
import { TEST_MODEL_SHAPES, writeTestModel } from '../../src/models/make-test-model.js';

/** A random-weight model in whisper.cpp's format (real shapes), generated once per machine. */
export async function testModelPath(shape: 'micro' | 'tiny' = 'micro'): Promise<string> {
  const path = join(ecgCacheDir(), 'test-models', `ggml-random-${shape}-v2.bin`);
  if (!existsSync(path)) writeTestModel(path, TEST_MODEL_SHAPES[shape]);
  return path;
}
