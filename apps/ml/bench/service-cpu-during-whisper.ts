/**
 * CPU the services take from whisper.cpp: for each job, the CPU seconds each
 * thread of the backend and ML processes used between whisper-cli's start
 * and its exit, grouped by the thread's role and priority. On a machine whose
 * cores whisper.cpp fills (`WHISPER_THREADS` = cores), CPU a nice-0 thread
 * takes there lengthens the transcription more than its own length, since
 * whisper.cpp's threads meet at barriers: a thread spinning beside
 * whisper-cli made it 2.2-2.3x slower at nice 0 and changed it by -6% to +7%
 * at nice 19 (the diarizer's priority, lower-thread-priority.ts) on the
 * 2-core development machine (2026-12-02). So the figures are split by
 * priority.
 *
 * whisper-cli starts with the job and loads its model while the audio is
 * downloaded (run-job.ts), so since 2026-12-02 the window includes the
 * download, and the backend's CPU in it the serving of the file.
 *
 * CPU seconds are the kernel's per-thread counts (/proc/<pid>/task/<tid>/stat,
 * 10 ms ticks), so they hold still under load where wall time does not. The
 * job is the whole-job bench's 66 s of continuous speech with the product's
 * defaults (diarization on, which then runs beside whisper.cpp). The stack
 * runs twice: with the ML service's own flags (node-flags.ts) and with only
 * the flags both services share, so the effect of the ML-only ones is printed
 * next to them.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ML_NODE_FLAGS, SERVICE_NODE_FLAGS } from '@ecg/service-kit/node-flags';
import { readProcStat } from '../../../tests/helpers/proc-stat.js';
import { startStack, type Stack } from '../../../tests/helpers/stack.js';
import { DEFAULT_BACKEND_NICE } from '../../backend/src/process-priority.js';
import { JFK_WAV, requireWhisperCli } from '../test/helpers/fixtures.js';
import { testModelPath } from '../test/helpers/test-model.js';
import { concatWav } from '../test/helpers/media.js';
import { runService } from './whole-job-ratio.js';

export interface JobCpu {
  whisperSeconds: number;
  /** CPU seconds while whisper-cli ran, by thread group. */
  mlMain: number;
  /** The ML process's other nice-0 threads: V8's helpers (compiler, GC) and libuv's pool. */
  mlHelpers: number;
  /** The ML process's nice-19 threads: the diarizer. */
  mlLowPriority: number;
  backend: number;
}

export interface FlagFigures {
  label: string;
  flags: readonly string[];
  jobs: JobCpu[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (readProcStat(`/proc/${name}/stat`)?.ppid === pid) out.push(Number(name));
  }
  return out;
}

function comm(pid: number): string {
  return readProcStat(`/proc/${pid}/stat`)?.comm ?? '';
}

/** The node process that runs `entry` under the stack's tsx relay for it. */
function serviceProcess(stack: Stack, entry: string): number {
  const needle = `\0DATA_DIR=${stack.dataDir}\0`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (!`\0${read(`/proc/${name}/environ`) ?? ''}`.includes(needle)) continue;
    const argv = (read(`/proc/${name}/cmdline`) ?? '').split('\0');
    // The relay runs tsx's cli; the service is the node process that loads tsx's loader.
    if (argv.includes(entry) && argv.some((a) => a.endsWith('loader.mjs'))) return Number(name);
  }
  throw new Error(`no process runs ${entry}`);
}

/** CPU seconds per thread of `pid`, with its nice value, keyed by tid. */
function threadCpu(pid: number): Map<number, { cpu: number; nice: number }> {
  const out = new Map<number, { cpu: number; nice: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = readProcStat(`/proc/${pid}/task/${tid}/stat`);
    if (s) out.set(Number(tid), { cpu: s.userSeconds + s.systemSeconds, nice: s.nice });
  }
  return out;
}

const delta = (before: Map<number, { cpu: number }>, after: Map<number, { cpu: number; nice: number }>, keep: (tid: number, nice: number) => boolean) =>
  [...after].filter(([tid, t]) => keep(tid, t.nice)).reduce((s, [tid, t]) => s + t.cpu - (before.get(tid)?.cpu ?? 0), 0);

/** Watches for the ML service's whisper-cli child; answers the CPU figures of the run it saw. */
async function watchWhisper(ml: number, backend: number, signal: AbortSignal): Promise<JobCpu | null> {
  let whisper: number | undefined;
  while (!signal.aborted && !(whisper = childrenOf(ml).find((p) => comm(p) === 'whisper-cli'))) await new Promise((r) => setTimeout(r, 5));
  if (whisper === undefined) return null;
  const mlBefore = threadCpu(ml);
  const backendBefore = threadCpu(backend);
  const started = performance.now();
  while (comm(whisper) === 'whisper-cli') await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  const mlAfter = threadCpu(ml);
  const backendAfter = threadCpu(backend);
  return {
    whisperSeconds: seconds,
    mlMain: delta(mlBefore, mlAfter, (tid) => tid === ml),
    mlHelpers: delta(mlBefore, mlAfter, (tid, nice) => tid !== ml && nice < 19),
    mlLowPriority: delta(mlBefore, mlAfter, (_tid, nice) => nice >= 19),
    backend: delta(backendBefore, backendAfter, () => true),
  };
}

async function measure(label: string, mlFlags: readonly string[], wav: string, model: string, jobs: number): Promise<FlagFigures> {
  const stack = await startStack(
    { WHISPER_MODEL: model, WHISPER_TEMPERATURE_FALLBACK: 'false', WHISPER_BEAM_SIZE: '1', WHISPER_THREADS: '2', WHISPER_VAD: 'off', BACKEND_NICE: String(DEFAULT_BACKEND_NICE), DISPATCH_INTERVAL_MS: '1000', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' },
    { nodeFlags: { ml: mlFlags } },
  );
  try {
    const ml = serviceProcess(stack, 'apps/ml/src/main.ts');
    const backend = serviceProcess(stack, 'apps/backend/src/main.ts');
    // One job first (not counted), as in the whole-job bench: the first request of each route compiles its code paths.
    await runService(stack, wav);
    const out: JobCpu[] = [];
    for (let i = 0; i < jobs; i++) {
      const stop = new AbortController();
      const watching = watchWhisper(ml, backend, stop.signal);
      await runService(stack, wav).finally(() => stop.abort());
      const seen = await watching;
      if (!seen) throw new Error('whisper-cli was not seen running');
      out.push(seen);
    }
    return { label, flags: mlFlags, jobs: out };
  } finally {
    await stack.stop();
  }
}

export async function main(jobs = 6): Promise<FlagFigures[]> {
  requireWhisperCli();
  const work = mkdtempSync(join(tmpdir(), 'ecg-bench-cpu-'));
  try {
    const model = await testModelPath('tiny');
    const speech = join(work, 'speech-66s.wav');
    await concatWav(JFK_WAV, 6, speech);
    return [
      await measure('ML service with its own flags', ML_NODE_FLAGS, speech, model, jobs),
      await measure('ML service with the common flags only', SERVICE_NODE_FLAGS, speech, model, jobs),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function report(figures: FlagFigures[]): string[] {
  const f2 = (x: number) => x.toFixed(2);
  const range = (xs: number[]) => `${f2(Math.min(...xs))}-${f2(Math.max(...xs))} (median ${f2(median(xs))})`;
  return figures.flatMap((f) => [
    `${f.label} (${f.flags.join(' ')}): CPU-s per job while whisper-cli ran (${range(f.jobs.map((j) => j.whisperSeconds))} s)`,
    `  ML at nice 0: main thread ${range(f.jobs.map((j) => j.mlMain))}, helper threads ${range(f.jobs.map((j) => j.mlHelpers))}; ML at nice 19: the diarizer ${range(f.jobs.map((j) => j.mlLowPriority))}`,
    `  backend (all threads, at BACKEND_NICE ${DEFAULT_BACKEND_NICE}) ${range(f.jobs.map((j) => j.backend))}`,
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const jobs = Number(process.env.BENCH_RUNS ?? 6);
  console.log(`CPU the services used while whisper-cli transcribed 66 s of speech (${jobs} jobs each):`);
  for (const line of report(await main(jobs))) console.log(`  ${line}`);
}
