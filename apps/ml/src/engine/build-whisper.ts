/**
 * Builds whisper.cpp's own `whisper-cli` from the full source that the npm
 * package nodejs-whisper ships (we run none of its code; its tarball is only a
 * source mirror reachable through the npm registry).
 *
 * The binary goes to a cache keyed by everything that changes it (source
 * version and tree, cmake flags, CPU features, platform), so reinstalling or a
 * fresh clone on the same machine reuses it, and a different CPU or an upgraded
 * whisper.cpp gets its own native build instead of a stale or illegal one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';

export interface WhisperBuildPlan {
  sourceDir: string;
  version: string;
  cmakeFlags: string[];
  cuda: boolean;
  cudaReason: string;
  key: string;
  outDir: string;
  binaryPath: string;
  /** whisper.cpp's Silero VAD example, built beside whisper-cli (the diarizer's speech regions). */
  vadBinaryPath: string;
  logPath: string;
}

/** `${ECG_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/ecg}` */
export function ecgCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ECG_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ecg');
}

/** The whisper.cpp source inside node_modules/nodejs-whisper, or null when not installed. */
export function whisperSourceDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('nodejs-whisper/package.json');
    const dir = join(dirname(pkg), 'cpp', 'whisper.cpp');
    return existsSync(join(dir, 'CMakeLists.txt')) ? dir : null;
  } catch {
    return null;
  }
}

export function sourceVersion(sourceDir: string): string {
  const cmake = readFileSync(join(sourceDir, 'CMakeLists.txt'), 'utf8');
  return /project\("whisper\.cpp" VERSION ([\d.]+)\)/.exec(cmake)?.[1] ?? 'unknown';
}

// Parts of the tree that cannot change whisper-cli: skipping them keeps the
// identity hash fast (it runs on every readiness check of a fresh process).
const IRRELEVANT_DIRS = new Set(['models', 'bindings', 'samples', 'tests', 'media', 'scripts', 'ci', 'grammars', '.git', '.github', '.devops']);
const identityCache = new Map<string, string>();

/**
 * SHA-256 over every relevant file's path and content. Modification times are
 * left out on purpose: `npm install` rewrites them without changing anything.
 */
export function sourceIdentity(sourceDir: string): string {
  const cached = identityCache.get(sourceDir);
  if (cached) return cached;
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (dir === sourceDir && IRRELEVANT_DIRS.has(e.name)) continue;
        walk(path);
      } else if (e.isFile()) {
        hash.update(`${relative(sourceDir, path)}\0`);
        hash.update(readFileSync(path));
      }
    }
  };
  walk(sourceDir);
  const id = hash.digest('hex');
  identityCache.set(sourceDir, id);
  return id;
}

let gpuListed: boolean | null = null;
function nvidiaSmiListsGpu(): boolean {
  if (gpuListed === null) {
    const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
    gpuListed = smi.status === 0 && /GPU \d+:/.test(smi.stdout ?? '');
  }
  return gpuListed;
}

/**
 * Whether to build with CUDA: asked for, or a GPU answers `nvidia-smi -L`.
 * A CUDA compiler alone is not a reason: CI machines have nvcc and no GPU,
 * and a CUDA build there is slower to make and useless to run.
 */
export function cudaDecision(env: NodeJS.ProcessEnv = process.env): { cuda: boolean; reason: string } {
  const asked = env.WHISPER_CUDA?.toLowerCase();
  if (asked === '1' || asked === 'true' || asked === 'on') return { cuda: true, reason: `WHISPER_CUDA=${env.WHISPER_CUDA}` };
  if (asked === '0' || asked === 'false' || asked === 'off') return { cuda: false, reason: `WHISPER_CUDA=${env.WHISPER_CUDA}` };
  if (!nvidiaSmiListsGpu()) return { cuda: false, reason: 'no GPU listed by nvidia-smi' };
  if (!nvccFound(env)) return { cuda: false, reason: 'nvidia-smi lists a GPU but the CUDA toolkit (nvcc) is missing; set WHISPER_CUDA=1 once it is installed' };
  return { cuda: true, reason: 'nvidia-smi lists a GPU' };
}

function nvccFound(env: NodeJS.ProcessEnv): boolean {
  if (env.CUDACXX && existsSync(env.CUDACXX)) return true;
  if (existsSync('/usr/local/cuda/bin/nvcc')) return true;
  return spawnSync('nvcc', ['--version'], { stdio: 'ignore', timeout: 10_000, env }).status === 0;
}

/**
 * The targets of the one cmake build: whisper-cli for transcription and the
 * `vad-speech-segments` example, which prints Silero VAD speech segments for
 * the diarizer. Part of the cache key, so a cache holding fewer binaries is
 * rebuilt rather than taken as complete.
 */
export const WHISPER_TARGETS = ['whisper-cli', 'whisper-vad-speech-segments'] as const;
export const VAD_BINARY_NAME = 'whisper-vad-speech-segments';

export function whisperCmakeFlags(cuda: boolean): string[] {
  return [
    '-DCMAKE_BUILD_TYPE=Release',
    // Static libwhisper/libggml: the binary can be moved into the cache alone.
    '-DBUILD_SHARED_LIBS=OFF',
    // Host SIMD (AVX2/AVX-512...): the cache key includes the CPU flags for this reason.
    '-DGGML_NATIVE=ON',
    '-DWHISPER_BUILD_TESTS=OFF',
    '-DWHISPER_BUILD_SERVER=OFF',
    // Examples must be on for the whisper-cli target; only WHISPER_TARGETS are built.
    '-DWHISPER_BUILD_EXAMPLES=ON',
    '-DWHISPER_SDL2=OFF',
    '-DWHISPER_CURL=OFF',
    '-DWHISPER_FATAL_WARNINGS=OFF',
    `-DGGML_CUDA=${cuda ? 'ON' : 'OFF'}`,
  ];
}

function cpuFeatures(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(info)?.[1];
    if (flags) return flags.trim().split(/\s+/).sort().join(' ');
  } catch {
    // not Linux: fall through to the CPU model name
  }
  return cpus()[0]?.model ?? 'unknown-cpu';
}

/** The build for this machine and source, or null when the whisper.cpp source is not installed. */
export function planWhisperBuild(env: NodeJS.ProcessEnv = process.env): WhisperBuildPlan | null {
  const sourceDir = whisperSourceDir();
  if (!sourceDir) return null;
  const version = sourceVersion(sourceDir);
  const { cuda, reason } = cudaDecision(env);
  const cmakeFlags = whisperCmakeFlags(cuda);
  const key = createHash('sha256')
    .update([version, sourceIdentity(sourceDir), cmakeFlags.join(' '), WHISPER_TARGETS.join(' '), cpuFeatures(), process.platform, process.arch].join('\n'))
    .digest('hex')
    .slice(0, 20);
  const outDir = join(ecgCacheDir(env), 'whisper', key);
  return {
    sourceDir,
    version,
    cmakeFlags,
    cuda,
    cudaReason: reason,
    key,
    outDir,
    binaryPath: join(outDir, 'whisper-cli'),
    vadBinaryPath: join(outDir, VAD_BINARY_NAME),
    logPath: join(ecgCacheDir(env), 'whisper', `build-${key}.log`),
  };
}

/** The binary exists and answers `--help` with exit 0. */
export function binaryRuns(path: string): boolean {
  if (!existsSync(path)) return false;
  const r = spawnSync(path, ['--help'], { timeout: 20_000, stdio: 'ignore' });
  return r.status === 0;
}

function commandWorks(cmd: string, args: string[], env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000, env });
  return r.status === 0;
}

/** Build tools that are missing, by name (cmake, a C compiler, a C++ compiler, make). */
export function missingBuildTools(env: NodeJS.ProcessEnv = process.env): string[] {
  const missing: string[] = [];
  if (!commandWorks('cmake', ['--version'], env)) missing.push('cmake');
  const cc = env.CC ? [env.CC] : ['cc', 'gcc', 'clang'];
  if (!cc.some((c) => commandWorks(c, ['--version'], env))) missing.push('a C compiler');
  const cxx = env.CXX ? [env.CXX] : ['c++', 'g++', 'clang++'];
  if (!cxx.some((c) => commandWorks(c, ['--version'], env))) missing.push('a C++ compiler');
  if (!commandWorks('make', ['--version'], env)) missing.push('make');
  return missing;
}

/** What to run to get the build tools, for the platform we are on. */
export function buildToolsHint(): string {
  if (process.platform === 'darwin') return 'xcode-select --install && brew install cmake';
  if (process.platform === 'win32') return 'install Visual Studio Build Tools and CMake';
  return 'Debian/Ubuntu: sudo apt-get install cmake build-essential; Fedora: sudo dnf install cmake gcc-c++ make';
}

export const BUILD_JOBS = Math.max(1, availableParallelism());

/**
 * Configures and builds whisper-cli (and the VAD example, WHISPER_TARGETS) in
 * a temp dir beside the cache, then moves them into `plan.outDir` with one
 * rename, so a reader sees either no binaries or complete ones. Compiler chatter goes to `plan.logPath`; `say` gets short
 * progress lines. Rejects with the log's tail when a step fails.
 */
export async function buildWhisperCli(plan: WhisperBuildPlan, say: (line: string) => void): Promise<string> {
  const parent = dirname(plan.outDir);
  mkdirSync(parent, { recursive: true });
  const buildDir = mkdtempSync(join(parent, 'build-'));
  const log = createWriteStream(plan.logPath);
  const step = (args: string[], what: string, onLine: (line: string) => void) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('cmake', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(log, { end: false });
        createInterface({ input: stream }).on('line', onLine);
      }
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (code === 0) return resolve();
        let tail = '';
        try {
          tail = readFileSync(plan.logPath, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
        } catch {
          // the log is gone; the exit status says enough
        }
        reject(new Error(`${what} failed (${signal ?? `exit ${code}`}); full log: ${plan.logPath}\n${tail}`));
      });
    });
  try {
    say('configuring (cmake)...');
    await step(['-S', plan.sourceDir, '-B', buildDir, ...plan.cmakeFlags], 'cmake configure', () => {});
    let shown = -1;
    const targets = WHISPER_TARGETS.flatMap((t) => ['--target', t]);
    await step(['--build', buildDir, '--config', 'Release', ...targets, '-j', String(BUILD_JOBS)], 'cmake build', (line) => {
      const pct = /^\[\s*(\d+)%\]/.exec(line);
      if (!pct) return;
      const tenth = Math.floor(Number(pct[1]) / 10) * 10;
      if (tenth > shown) {
        shown = tenth;
        say(`compiling... ${tenth}%`);
      }
    });
    const staging = join(buildDir, 'out');
    mkdirSync(staging);
    for (const target of WHISPER_TARGETS) {
      copyFileSync(join(buildDir, 'bin', target), join(staging, target));
      chmodSync(join(staging, target), 0o755);
      if (!binaryRuns(join(staging, target))) throw new Error(`the built ${target} does not run (\`${target} --help\` failed)`);
    }
    try {
      rmSync(plan.outDir, { recursive: true, force: true });
      renameSync(staging, plan.outDir);
    } catch (err) {
      // Another install finished the same build first: theirs is as good as ours.
      if (!binaryRuns(plan.binaryPath)) throw err;
    }
    return plan.binaryPath;
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
    rmSync(buildDir, { recursive: true, force: true });
  }
}

/** Size of a file or 0; used by the CLI to report what it built. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
