import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { EngineError, type EngineTranscript, type TranscribeRequest, type TranscriptionEngine } from './engine.js';
import { parseProgressLine, parseSegmentLine, parseWhisperJson } from './parse-whisper-output.js';

/** Official models whose alignment heads whisper.cpp knows: DTW word timing only for these. */
const DTW_PRESETS: Record<string, string> = {
  'ggml-tiny.bin': 'tiny', 'ggml-tiny.en.bin': 'tiny.en', 'ggml-base.bin': 'base', 'ggml-base.en.bin': 'base.en',
  'ggml-small.bin': 'small', 'ggml-small.en.bin': 'small.en', 'ggml-medium.bin': 'medium', 'ggml-medium.en.bin': 'medium.en',
  'ggml-large-v1.bin': 'large.v1', 'ggml-large-v2.bin': 'large.v2', 'ggml-large-v3.bin': 'large.v3', 'ggml-large-v3-turbo.bin': 'large.v3.turbo',
};

const KILL_GRACE_MS = 2000;

export function whisperCliArgs(req: TranscribeRequest, outBase: string): string[] {
  const args = ['-m', req.modelPath, '-f', req.audioPath, '-l', req.language || 'auto', '-t', String(req.threads), '-pp', '-ojf', '-of', outBase];
  if (!req.temperatureFallback) args.push('-nf');
  if (req.vadModelPath) args.push('--vad', '-vm', req.vadModelPath);
  const dtw = DTW_PRESETS[basename(req.modelPath)];
  if (dtw) args.push('--dtw', dtw);
  return args;
}

/**
 * Runs whisper.cpp's own whisper-cli per job: native speed with the host's
 * SIMD, live progress and segments from its output, and a cancel that is a
 * kill. Loading the model per job costs well under a second for the models
 * people run on CPU and buys crash isolation.
 */
export function createWhisperCliEngine(opts: { binaryPath: string; tmpDir?: string }): TranscriptionEngine {
  return {
    name: 'whisper.cpp whisper-cli',
    async transcribe(req: TranscribeRequest): Promise<EngineTranscript> {
      if (req.signal?.aborted) throw new EngineError('CANCELLED', 'cancelled before start');
      const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ecg-whisper-'));
      const outBase = join(dir, 'out');
      const started = performance.now();
      try {
        const child = spawn(opts.binaryPath, whisperCliArgs(req, outBase), { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderrTail = '';
        let lastProgress = 0;
        const onAbort = () => {
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
        };
        req.signal?.addEventListener('abort', onAbort, { once: true });

        createInterface({ input: child.stdout }).on('line', (line) => {
          const seg = parseSegmentLine(line);
          if (seg && seg.text) req.onSegment?.(seg);
        });
        createInterface({ input: child.stderr }).on('line', (line) => {
          stderrTail = (stderrTail + line + '\n').slice(-4000);
          const p = parseProgressLine(line);
          if (p !== null && p > lastProgress) {
            lastProgress = p;
            req.onProgress?.(p);
          }
        });

        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
          child.once('error', reject);
          child.once('close', (code, signal) => resolve({ code, signal }));
        }).finally(() => req.signal?.removeEventListener('abort', onAbort));

        if (req.signal?.aborted) throw new EngineError('CANCELLED', 'transcription cancelled');
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
        try {
          const transcript = parseWhisperJson(json, (performance.now() - started) / 1000);
          if (lastProgress < 100) req.onProgress?.(100);
          return transcript;
        } catch (err) {
          throw new EngineError('TRANSCRIPTION_ERROR', `whisper-cli output could not be read: ${(err as Error).message}`);
        }
      } catch (err) {
        if (err instanceof EngineError) throw err;
        throw new EngineError('TRANSCRIPTION_ERROR', `could not run whisper-cli: ${(err as Error).message}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(-600) || 'no output';
}
