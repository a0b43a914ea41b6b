/** `npm run model:test -- [--shape micro|tiny] [--seed N] <out.bin>` */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_MODEL_SHAPES, writeTestModel } from './make-test-model.js';

const { values, positionals } = parseArgs({
  options: { shape: { type: 'string', default: 'micro' }, seed: { type: 'string', default: '42' } },
  allowPositionals: true,
});
const shapeName = values.shape as keyof typeof TEST_MODEL_SHAPES;
const out = positionals[0];
if (!out || !(shapeName in TEST_MODEL_SHAPES)) {
  console.error('usage: npm run model:test -- [--shape micro|tiny] [--seed N] <out.bin>');
  process.exit(2);
}
const path = resolve(process.env.INIT_CWD ?? process.cwd(), out);
writeTestModel(path, TEST_MODEL_SHAPES[shapeName], Number(values.seed));
console.log(`wrote ${shapeName} random-weight test model (${(statSync(path).size / 1e6).toFixed(1)} MB): ${path}`);
console.log('it transcribes gibberish: for tests and benchmarks only.');
