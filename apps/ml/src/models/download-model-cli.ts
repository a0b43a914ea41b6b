/** `npm run model:download -- <name> [--dir DIR]`: fetches a Whisper or VAD model. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MODEL_NAMES, modelCatalog } from './model-catalog.js';
import { ModelDownloadError, downloadModel, formatProgress } from './download-model.js';

const { values, positionals } = parseArgs({ options: { dir: { type: 'string' } }, allowPositionals: true });
const name = positionals[0] ?? process.env.WHISPER_MODEL ?? 'base';
const dataDir = process.env.DATA_DIR ?? 'data';
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), values.dir ?? process.env.MODELS_DIR ?? join(dataDir, 'models'));
const model = modelCatalog(process.env.WHISPER_MODEL_BASE_URL, process.env.WHISPER_VAD_BASE_URL).get(name);
if (!model) {
  console.error(`unknown model "${name}". Known: ${MODEL_NAMES.join(', ')}`);
  process.exit(2);
}
const target = join(dir, model.file);
if (existsSync(target)) {
  console.log(`${model.file} is already in ${dir}`);
  process.exit(0);
}
console.error(`downloading ${model.file} (~${model.approxMB} MB) from ${model.url}`);
try {
  const tty = process.stderr.isTTY;
  await downloadModel(model, dir, {
    onProgress: (p) => process.stderr.write(tty ? `\r${formatProgress(p)}   ` : `${formatProgress(p)}\n`),
  });
  process.stderr.write('\n');
  console.log(`saved ${target}${model.sha1 ? ' (SHA-1 verified)' : ''}`);
} catch (err) {
  const why = err instanceof ModelDownloadError ? err.message : String(err);
  console.error(`\ncould not download ${model.file}: ${why}`);
  console.error(`to install it by hand, download\n  ${model.url}\nand save it as\n  ${target}`);
  if (model.sha1) console.error(`(its SHA-1 is ${model.sha1})`);
  process.exit(1);
}
