/**
 * `npm start`: the whole system on one machine with embedded defaults.
 * Backend (storage + database embedded) and ML service run as two processes,
 * as they would on two machines; this script only supplies what a single-box
 * install lacks: shared secrets generated into DATA_DIR, the default model
 * fetched on first run, the web app built, and one Ctrl+C that stops it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveSecret, GENERATED_SECRETS } from '@ecg/signing';

const root = resolve(import.meta.dirname, '..');
const env: NodeJS.ProcessEnv = { ...process.env };
env.DATA_DIR = resolve(env.DATA_DIR ?? join(root, 'data'));
for (const name of GENERATED_SECRETS) env[name] = resolveSecret(name, env, env.DATA_DIR);
const port = Number(env.PORT ?? 8000);
const mlPort = Number(env.ML_PORT ?? 8001);
env.PORT = String(port);
env.ML_PORT = String(mlPort);
env.PUBLIC_URL ??= `http://127.0.0.1:${port}`;
env.BACKEND_URL ??= `http://127.0.0.1:${port}`;
env.ML_URL ??= `http://127.0.0.1:${mlPort}`;
env.MODELS_DIR = resolve(env.MODELS_DIR ?? join(env.DATA_DIR, 'models'));

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];
let stopping = false;

function log(line: string): void {
  process.stdout.write(`[ecg] ${line}\n`);
}

function run(name: string, args: string[], opts: { prefix?: boolean } = {}): ChildProcess {
  const child = spawn(tsx, args, { cwd: root, env, stdio: opts.prefix === false ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  return child;
}

function waitExit(child: ChildProcess): Promise<number> {
  return new Promise((res) => {
    if (child.exitCode !== null) return res(child.exitCode);
    child.once('exit', (code) => res(code ?? 1));
  });
}

/** Fetches a model on first run; offline, the ML service starts not-ready and says why. */
async function ensureModel(name: string, file: string): Promise<void> {
  if (existsSync(join(env.MODELS_DIR!, file))) return;
  log(`model ${name} not found in ${env.MODELS_DIR}: downloading (once)...`);
  const code = await waitExit(run('model', ['apps/ml/src/models/download-model-cli.ts', name, '--dir', env.MODELS_DIR!], { prefix: false }));
  if (code !== 0) log(`could not download model ${name}; the ML service will report not ready until it is placed (see above).`);
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

/** Builds the web app when it was never built or its sources changed since (a git pull). */
async function ensureWebBuild(): Promise<void> {
  const dist = join(root, 'apps', 'web', 'dist', 'index.html');
  const builder = join(root, 'apps', 'web', 'vite.config.ts');
  if (!existsSync(builder)) return;
  const sources = ['apps/web/src', 'apps/web/index.html', 'packages/captions/src', 'packages/contracts/src'].map((p) => join(root, p));
  const newestSource = Math.max(...sources.map((p) => (existsSync(p) && statSync(p).isFile() ? statSync(p).mtimeMs : newestMtime(p))));
  if (existsSync(dist) && statSync(dist).mtimeMs >= newestSource) return;
  log('building the web app...');
  const vite = spawn(join(root, 'node_modules', '.bin', 'vite'), ['build'], { cwd: join(root, 'apps', 'web'), env, stdio: 'inherit' });
  if ((await waitExit(vite)) !== 0) log('web build failed; the API still runs.');
}

async function waitHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping...');
    for (const c of children) c.kill('SIGTERM');
    const forced = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
    await Promise.all(children.map(waitExit));
    clearTimeout(forced);
  }
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const model = env.WHISPER_MODEL ?? 'base';
if (!model.includes('/') && !model.endsWith('.bin')) await ensureModel(model, `ggml-${model}.bin`);
if (!env.WHISPER_VAD_MODEL && env.WHISPER_VAD !== 'off') await ensureModel('vad', 'ggml-silero-v6.2.0.bin');
await ensureWebBuild();

for (const [name, entry] of [
  ['backend', 'apps/backend/src/main.ts'],
  ['ml', 'apps/ml/src/main.ts'],
] as const) {
  const child = run(name, [entry]);
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping the rest.`);
      void stopAll(1);
    }
  });
}

if (await waitHealthy(`http://127.0.0.1:${port}/health`, 60_000)) {
  log(`ECG is running: open ${env.PUBLIC_URL}  (API docs: ${env.PUBLIC_URL}/docs)`);
  const mlReady = await waitHealthy(`http://127.0.0.1:${mlPort}/health`, 20_000);
  if (!mlReady) log(`the ML service is up but not ready: see ${env.ML_URL}/health for the reason.`);
  log('press Ctrl+C to stop.');
}
