/**
 * `npm start`: the whole system on one machine with embedded defaults.
 * Backend (storage + database embedded) and ML service run as two processes,
 * as they would on two machines; this script only supplies what a single-box
 * install lacks: shared secrets generated into DATA_DIR, the default model
 * fetched on first run, the web app built, one Ctrl+C that stops it all, and
 * a supervisor: a service that dies is started again on its own (the other
 * keeps running; both already survive the other's absence), within the limits
 * of scripts/restart-policy.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeFlagsFor } from '@ecg/service-kit/node-flags';
import { resolveSecret, GENERATED_SECRETS } from '@ecg/signing';
import { lineFormatter } from './log-lines.js';
import { decideRestart, DEFAULT_RESTART_POLICY } from './restart-policy.js';

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
let stopping = false;

function log(line: string): void {
  process.stdout.write(`[ecg] ${line}\n`);
}

/**
 * Runs a TypeScript entry point. Services run as `node --import tsx` rather
 * than through the tsx CLI, which would put a second process (a relay)
 * between this supervisor and the service: this way the child watched here is
 * the service itself, its death is seen at once and our signals reach it.
 */
function run(name: string, args: string[], opts: { prefix?: boolean; direct?: { nodeFlags: readonly string[] } } = {}): ChildProcess {
  const [command, argv] = opts.direct ? [process.execPath, [...opts.direct.nodeFlags, '--import', 'tsx', ...args]] : [tsx, args];
  const child = spawn(command, argv, { cwd: root, env, stdio: opts.prefix === false ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', prefixLines(name, process.stdout));
  child.stderr?.on('data', prefixLines(name, process.stderr));
  return child;
}

// LOG_FORMAT=json keeps the services' JSON lines as they are (scripts/log-lines.ts).
const formatLine = lineFormatter({ pretty: env.LOG_FORMAT !== 'json', colorize: process.stdout.isTTY === true });

/** Prefixes each whole line with `[name]`; a line split across chunks is held until its end arrives. */
function prefixLines(name: string, out: NodeJS.WriteStream): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    const text = lines
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${formatLine(l)}`)
      .join('');
    if (text) out.write(text);
  };
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
  // WEB_DIST_DIR names a build made elsewhere; the backend serves that one, so building ours is pointless.
  if (env.WEB_DIST_DIR) return;
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

interface Service {
  name: 'backend' | 'ml';
  entry: string;
  child: ChildProcess | null;
  /** When it was restarted before, for the restart policy. */
  restarts: number[];
  restartTimer: NodeJS.Timeout | null;
}

const services: Service[] = [
  { name: 'backend', entry: 'apps/backend/src/main.ts', child: null, restarts: [], restartTimer: null },
  { name: 'ml', entry: 'apps/ml/src/main.ts', child: null, restarts: [], restartTimer: null },
];

function launch(service: Service): void {
  service.restartTimer = null;
  if (stopping) return;
  const child = run(service.name, [service.entry], { direct: { nodeFlags: nodeFlagsFor(service.name) } });
  service.child = child;
  log(`${service.name} started (pid ${child.pid})`);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ?? `code ${code}`;
    const decision = decideRestart(service.restarts, Date.now(), DEFAULT_RESTART_POLICY);
    if (decision.action === 'give-up') {
      log(`${service.name} exited (${how}) and ${decision.reason}; giving up: stopping everything. See its output above.`);
      void stopAll(1);
      return;
    }
    service.restarts = decision.restarts;
    log(`${service.name} exited (${how}); restarting it in ${decision.delayMs} ms (the other service keeps running).`);
    service.restartTimer = setTimeout(() => launch(service), decision.delayMs);
  });
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping...');
    for (const s of services) if (s.restartTimer) clearTimeout(s.restartTimer);
    const children = services.flatMap((s) => (s.child && s.child.exitCode === null && s.child.signalCode === null ? [s.child] : []));
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

for (const service of services) launch(service);

if (await waitHealthy(`http://127.0.0.1:${port}/health`, 60_000)) {
  log(`ECG is running: open ${env.PUBLIC_URL}  (API docs: ${env.PUBLIC_URL}/docs)`);
  const mlReady = await waitHealthy(`http://127.0.0.1:${mlPort}/health`, 20_000);
  if (!mlReady) log(`the ML service is up but not ready: see ${env.ML_URL}/health for the reason.`);
  log('press Ctrl+C to stop.');
}
