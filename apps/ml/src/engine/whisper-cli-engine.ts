import { spawn } from 'node:child_process';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { readModelHeader, type ModelHeader } from '../models/inspect-model.js';
import { EngineError, type EngineTranscript, type TranscribeRequest, type TranscriptionEngine } from './engine.js';
import { clampSegmentToAudio, parseAudioSecondsLine, parseProgressLine, parseSegmentLine, parseVadMapping, parseVadSpeechRegions, parseWhisperJson } from './parse-whisper-output.js';

/**
 * whisper.cpp's DTW alignment-head presets, with the shapes of the official
 * checkpoints they belong to. DTW gives the best word times, but its heads
 * only mean something for these exact models: a preset is used when the file
 * is named like an official model (quantized variants included) AND its header
 * has that model's shape, so a renamed fine-tune never gets wrong heads.
 */
const DTW_PRESETS: Record<string, { preset: string; nTextLayer: number; nTextHead: number; nTextState: number; nVocab: number }> = {
  tiny: { preset: 'tiny', nTextLayer: 4, nTextHead: 6, nTextState: 384, nVocab: 51865 },
  'tiny.en': { preset: 'tiny.en', nTextLayer: 4, nTextHead: 6, nTextState: 384, nVocab: 51864 },
  base: { preset: 'base', nTextLayer: 6, nTextHead: 8, nTextState: 512, nVocab: 51865 },
  'base.en': { preset: 'base.en', nTextLayer: 6, nTextHead: 8, nTextState: 512, nVocab: 51864 },
  small: { preset: 'small', nTextLayer: 12, nTextHead: 12, nTextState: 768, nVocab: 51865 },
  'small.en': { preset: 'small.en', nTextLayer: 12, nTextHead: 12, nTextState: 768, nVocab: 51864 },
  medium: { preset: 'medium', nTextLayer: 24, nTextHead: 16, nTextState: 1024, nVocab: 51865 },
  'medium.en': { preset: 'medium.en', nTextLayer: 24, nTextHead: 16, nTextState: 1024, nVocab: 51864 },
  'large-v1': { preset: 'large.v1', nTextLayer: 32, nTextHead: 20, nTextState: 1280, nVocab: 51865 },
  'large-v2': { preset: 'large.v2', nTextLayer: 32, nTextHead: 20, nTextState: 1280, nVocab: 51865 },
  'large-v3': { preset: 'large.v3', nTextLayer: 32, nTextHead: 20, nTextState: 1280, nVocab: 51866 },
  'large-v3-turbo': { preset: 'large.v3.turbo', nTextLayer: 4, nTextHead: 20, nTextState: 1280, nVocab: 51866 },
};

/** The DTW preset for an official model file, or null (DTW off). */
export function dtwPresetFor(modelPath: string, header: Pick<ModelHeader, 'nTextLayer' | 'nTextHead' | 'nTextState' | 'nVocab'> | null): string | null {
  const m = /^ggml-([a-z0-9.-]+?)(?:-q\d_\d|-q\d_k)?\.bin$/.exec(basename(modelPath));
  const official = m ? DTW_PRESETS[m[1]!] : undefined;
  if (!official || !header) return null;
  const same = header.nTextLayer === official.nTextLayer && header.nTextHead === official.nTextHead && header.nTextState === official.nTextState && header.nVocab === official.nVocab;
  return same ? official.preset : null;
}

/** The thread count whisper-cli is given (`-t`) and held to (OMP_THREAD_LIMIT): a whole number, at least 1. */
function threadCount(threads: number): number {
  return Math.max(1, Math.floor(threads) || 1);
}

export function whisperCliArgs(req: TranscribeRequest, outBase: string, dtwPreset: string | null, beamSize?: number): string[] {
  const threads = threadCount(req.threads);
  // -pp: progress on stderr; -ojf: JSON with tokens, their times (token timestamps are on with -ojf) and p.
  // `-f -`: the WAV comes on stdin, read only after the model has loaded (examples/cli/cli.cpp), so
  // the load overlaps the download and extract of an audio that is not ready yet (audioReady).
  const args = ['-m', req.modelPath, '-f', req.audioReady ? '-' : req.audioPath, '-l', req.language || 'auto', '-t', String(threads), '-pp', '-ojf', '-of', outBase];
  if (!req.temperatureFallback) args.push('-nf');
  if (req.vadModelPath) args.push('--vad', '-vm', req.vadModelPath);
  // whisper.cpp 1.8+ silently turns DTW off when flash attention is on (its default), so DTW needs -nfa.
  if (dtwPreset) args.push('--dtw', dtwPreset, '-nfa');
  if (beamSize !== undefined) args.push('-bs', String(Math.max(1, Math.floor(beamSize))));
  if (req.task === 'translate') args.push('-tr');
  // spawn passes argv as is (no shell), so a prompt needs no quoting, whatever it holds.
  if (req.prompt) args.push('--prompt', req.prompt);
  if (req.temperature !== undefined) args.push('-tp', String(req.temperature));
  return args;
}

/**
 * The child's environment: the service's, with OpenMP held to the job's
 * threads. whisper.cpp 1.9.1 runs its Silero VAD on 4 threads whatever `-t`
 * says (`whisper_vad` takes `whisper_vad_default_context_params()` as is), and
 * on fewer free cores ggml's threads spin at every barrier of every 32 ms
 * chunk: on the 2-core development machine the VAD pass over 68 s took
 * 1.15-1.27 s on 4 threads, 0.25 s on 2 and 0.35 s on 1
 * (`whisper-vad-speech-segments -t N`), and a whole `whisper-cli --vad -t 2`
 * run went from 6.5-7.9 s to 4.5-6.4 s with `OMP_THREAD_LIMIT=2`. ggml asks
 * OpenMP for its team and works with the threads it gets
 * (`omp_get_num_threads()` in ggml-cpu.c), so the cap holds the VAD to `-t`
 * and changes nothing else; a stricter cap already set is kept. A build
 * without OpenMP ignores the variable.
 */
export function whisperCliEnv(env: NodeJS.ProcessEnv, threads: number): NodeJS.ProcessEnv {
  const cap = threadCount(threads);
  const set = Number(env.OMP_THREAD_LIMIT);
  const limit = Number.isInteger(set) && set >= 1 ? Math.min(set, cap) : cap;
  return { ...env, OMP_THREAD_LIMIT: String(limit) };
}

export interface WhisperCliEngineOptions {
  binaryPath: string;
  /** Where per-run scratch files go (default: the OS temp dir); always removed afterwards. */
  tmpDir?: string;
  /** 'auto' (default): DTW word timing for official models; 'off': token timestamps only. */
  dtw?: 'auto' | 'off';
  /** Called with the child's pid once it runs (tests use it to prove a cancel leaves nothing behind). */
  onSpawn?: (pid: number) => void;
  /**
   * Beam width; default whisper-cli's own (5, the accurate choice). 1 = greedy:
   * several times faster, for tests and benchmarks of the plumbing.
   */
  beamSize?: number;
  /** Seconds between SIGTERM and SIGKILL on cancel (default 2). */
  killGraceSeconds?: number;
}

/**
 * Runs whisper.cpp's own whisper-cli per job: native speed with the host's
 * SIMD, live progress and segments from its output, and a cancel that is a
 * kill. Loading the model per job costs well under a second for the models
 * people run on CPU and buys crash isolation: a native crash on a hostile
 * file ends one child, never the service. With `audioReady` the load is
 * also out of the job's way: the child starts at once with `-f -` and gets
 * the WAV on stdin when it is ready. The transcript is the same as from the
 * file, and so is the peak memory: whisper.cpp holds the bytes read from
 * stdin only until it has decoded them (peak RSS on 33 min of audio,
 * 2026-12-02: 420.6 MB from the file, 420.9 MB from stdin).
 */
export function createWhisperCliEngine(opts: WhisperCliEngineOptions): TranscriptionEngine {
  const graceMs = (opts.killGraceSeconds ?? 2) * 1000;
  return {
    name: 'whisper.cpp whisper-cli',
    async transcribe(req: TranscribeRequest): Promise<EngineTranscript> {
      if (req.signal?.aborted) throw new EngineError('CANCELLED', 'transcription cancelled before it started');
      let dtwPreset: string | null = null;
      if (opts.dtw !== 'off') {
        // An unreadable header is whisper-cli's to report (as TRANSCRIPTION_ERROR); DTW just stays off.
        const header = await readModelHeader(req.modelPath).catch(() => null);
        dtwPreset = dtwPresetFor(req.modelPath, header);
      }
      const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ecg-whisper-'));
      const outBase = join(dir, 'out');
      let started = performance.now();
      try {
        const child = spawn(opts.binaryPath, whisperCliArgs(req, outBase, dtwPreset, opts.beamSize), {
          stdio: 'pipe',
          env: whisperCliEnv(process.env, req.threads),
        });
        if (child.pid !== undefined) opts.onSpawn?.(child.pid);
        // Why the audio could not be handed over, when it could not: the audio never came, or its file failed to read.
        let feedFailure: EngineError | undefined;
        let exited = false;
        let audio: ReadStream | undefined;
        const stdin = child.stdin;
        // A whisper-cli that dies before reading (a model it cannot load) closes its end; its exit says why.
        stdin.on('error', () => {});
        if (!req.audioReady) stdin.end();
        else {
          req.audioReady.then(
            () => {
              if (exited) return;
              started = performance.now();
              audio = createReadStream(req.audioPath);
              audio.once('error', (err) => {
                feedFailure ??= new EngineError('TRANSCRIPTION_ERROR', `could not read the audio: ${err.message}`);
                child.kill('SIGKILL');
              });
              audio.pipe(stdin);
            },
            () => {
              if (exited) return;
              feedFailure ??= new EngineError('CANCELLED', 'transcription stopped before the audio was ready');
              child.kill('SIGKILL');
            },
          );
        }
        let stderrTail = '';
        const vadLines: string[] = [];
        let regionsTold = false;
        let lastProgress = 0;
        let audioSeconds: number | null = null;
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        };
        req.signal?.addEventListener('abort', onAbort, { once: true });
        if (req.signal?.aborted) onAbort(); // aborted between the check above and the listener

        createInterface({ input: child.stdout }).on('line', (line) => {
          const seg = parseSegmentLine(line);
          if (seg && seg.text && !req.signal?.aborted) req.onSegment?.(clampSegmentToAudio(seg, audioSeconds));
        });
        createInterface({ input: child.stderr }).on('line', (line) => {
          stderrTail = (stderrTail + line + '\n').slice(-8000);
          const regionLine = line.includes('VAD segment');
          if (line.includes('vad_segment_info') || regionLine || line.includes('speech segments after filtering')) vadLines.push(line);
          // whisper.cpp logs its count, then one line per region, then more before it transcribes: the
          // regions are read at the count (none) or at the first other line after them, not once per region.
          if (!regionsTold && req.vadModelPath && req.onSpeechRegions && vadLines.length > 0 && !regionLine) {
            const regions = parseVadSpeechRegions(vadLines);
            if (regions) {
              regionsTold = true;
              if (!req.signal?.aborted) req.onSpeechRegions(regions);
            }
          }
          audioSeconds ??= parseAudioSecondsLine(line);
          const p = parseProgressLine(line);
          if (p !== null && p > lastProgress) {
            lastProgress = p;
            req.onProgress?.(p);
          }
        });

        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
          child.once('error', reject);
          child.once('close', (code, signal) => resolve({ code, signal }));
        }).finally(() => {
          exited = true;
          audio?.destroy();
          clearTimeout(killTimer);
          req.signal?.removeEventListener('abort', onAbort);
        });

        if (req.signal?.aborted) throw new EngineError('CANCELLED', 'transcription cancelled');
        if (feedFailure) throw feedFailure;
        if (exit.code !== 0) {
          const why = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
          throw new EngineError('TRANSCRIPTION_ERROR', `whisper-cli ${why}: ${lastLines(stderrTail)}`);
        }
        let json: Buffer;
        try {
          json = await readFile(`${outBase}.json`);
        } catch {
          throw new EngineError('TRANSCRIPTION_ERROR', `whisper-cli wrote no result: ${lastLines(stderrTail)}`);
        }
        let transcript: EngineTranscript;
        try {
          transcript = parseWhisperJson(json, {
            seconds: (performance.now() - started) / 1000,
            vadMapping: parseVadMapping(vadLines),
            vadRequested: Boolean(req.vadModelPath),
            audioSeconds,
          });
        } catch (err) {
          throw new EngineError('TRANSCRIPTION_ERROR', `whisper-cli output could not be read: ${(err as Error).message}`);
        }
        if (lastProgress < 100) req.onProgress?.(100);
        const speechRegions = req.vadModelPath ? parseVadSpeechRegions(vadLines) : null;
        return speechRegions ? { ...transcript, speechRegions } : transcript;
      } catch (err) {
        if (err instanceof EngineError) throw err;
        throw new EngineError('TRANSCRIPTION_ERROR', `could not run whisper-cli (${opts.binaryPath}): ${(err as Error).message}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The last few meaningful stderr lines (the error is at the end; progress lines say nothing). */
function lastLines(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && parseProgressLine(l) === null);
  return lines.slice(-4).join(' | ').slice(-800) || 'no output';
}
