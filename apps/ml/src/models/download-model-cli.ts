/**
 * `npm run model:download -- <name> [--dir DIR]`: fetches a Whisper model (or
 * `vad`, the Silero VAD model) from whisper.cpp's public model repository.
 * DIR defaults to MODELS_DIR, else <DATA_DIR or ./data>/models, the same place
 * the ML service looks. WHISPER_MODEL_BASE_URL points at a mirror.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MODEL_NAMES, modelCatalog } from './model-catalog.js';
import { ModelDownloadError, downloadModel, formatProgress } from './download-model.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Redraw the progress line in place (a terminal) or print one line per update (a log). */
  tty: boolean;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
};

export async function runDownloadCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { dir: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: npm run model:download -- <${MODEL_NAMES.join('|')}> [--dir DIR]\n`);
    return 2;
  }
  const name = parsed.positionals[0] ?? env.WHISPER_MODEL ?? 'base';
  const base = env.INIT_CWD ?? process.cwd();
  const dir = resolve(base, parsed.values.dir ?? env.MODELS_DIR ?? join(env.DATA_DIR ?? 'data', 'models'));
  const model = modelCatalog(env.WHISPER_MODEL_BASE_URL, env.WHISPER_VAD_BASE_URL).get(name);
  if (!model) {
    io.err(`unknown model "${name}". Known: ${MODEL_NAMES.join(', ')}\n`);
    return 2;
  }
  const target = join(dir, model.file);
  if (existsSync(target)) {
    io.out(`${model.file} is already in ${dir}\n`);
    return 0;
  }
  io.err(`downloading ${model.file} (~${model.approxMB} MB) from ${model.url}\n`);
  try {
    await downloadModel(model, dir, {
      onProgress: (p) => io.err(io.tty ? `\r${formatProgress(p)}   ` : `${formatProgress(p)}\n`),
    });
    if (io.tty) io.err('\n');
    io.out(`saved ${target}${model.sha1 ? ' (SHA-1 verified)' : ''}\n`);
    return 0;
  } catch (err) {
    const why = err instanceof ModelDownloadError ? err.message : String(err);
    io.err(`${io.tty ? '\n' : ''}could not download ${model.file}: ${why}\n`);
    io.err(`to install it by hand, download\n  ${model.url}\nand save it as\n  ${target}\n`);
    if (model.sha1) io.err(`(its SHA-1 must be ${model.sha1})\n`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await runDownloadCli(process.argv.slice(2));
}
