/**
 * Builds whisper.cpp's own `whisper-cli` from the full source that the npm
 * package nodejs-whisper ships (it runs nothing at install; we only use its
 * tarball as a source mirror reachable through the npm registry).
 *
 * The binary goes to a cache keyed by everything that changes it (source
 * version, cmake flags, CPU features), so reinstalling or a fresh clone on the
 * same machine reuses it and a different CPU gets its own native build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

export interface WhisperBuildPlan {
  sourceDir: string;
  version: string;
  cmakeFlags: string[];
  cuda: boolean;
  cuda_reason: string;
  key: string;
  outDir: string;
  binaryPath: string;
}

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

/** Whether to build with CUDA: asked for, or a GPU answers. nvcc alone is not a reason. */
export function cudaDecision(env: NodeJS.ProcessEnv = process.env): { cuda: boolean; reason: string } {
  if (env.WHISPER_CUDA === '1' || env.WHISPER_CUDA === 'true') return { cuda: true, reason: 'WHISPER_CUDA=1' };
  if (env.WHISPER_CUDA === '0' || env.WHISPER_CUDA === 'false') return { cuda: false, reason: 'WHISPER_CUDA=0' };
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  if (smi.status === 0 && /GPU \d+:/.test(smi.stdout)) return { cuda: true, reason: 'nvidia-smi lists a GPU' };
  return { cuda: false, reason: 'no GPU answered nvidia-smi' };
}

function cpuFeatures(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '';
  } catch {
    return `${process.platform}-${process.arch}`;
  }
}

export function planWhisperBuild(env: NodeJS.ProcessEnv = process.env): WhisperBuildPlan | null {
  const sourceDir = whisperSourceDir();
  if (!sourceDir) return null;
  const version = sourceVersion(sourceDir);
  const { cuda, reason } = cudaDecision(env);
  const cmakeFlags = [
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DGGML_NATIVE=ON',
    '-DWHISPER_BUILD_TESTS=OFF',
    '-DWHISPER_BUILD_SERVER=OFF',
    '-DWHISPER_BUILD_EXAMPLES=ON',
    '-DWHISPER_SDL2=OFF',
    '-DWHISPER_CURL=OFF',
    ...(cuda ? ['-DGGML_CUDA=ON'] : ['-DGGML_CUDA=OFF']),
  ];
  const srcStamp = statSync(join(sourceDir, 'src', 'whisper.cpp')).size;
  const key = createHash('sha256')
    .update([version, srcStamp, cmakeFlags.join(' '), cpuFeatures(), process.platform, process.arch].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const outDir = join(ecgCacheDir(env), 'whisper', `${version}-${key}`);
  return { sourceDir, version, cmakeFlags, cuda, cuda_reason: reason, key, outDir, binaryPath: join(outDir, 'whisper-cli') };
}

export function binaryRuns(path: string): boolean {
  if (!existsSync(path)) return false;
  const r = spawnSync(path, ['--help'], { timeout: 20_000, stdio: 'ignore' });
  return r.status === 0;
}

export function missingBuildTools(): string[] {
  const missing: string[] = [];
  for (const [tool, args] of [
    ['cmake', ['--version']],
    ['c++', ['--version']],
  ] as const) {
    try {
      execFileSync(tool, [...args], { stdio: 'ignore' });
    } catch {
      missing.push(tool);
    }
  }
  return missing;
}

export const BUILD_JOBS = Math.max(1, availableParallelism());
