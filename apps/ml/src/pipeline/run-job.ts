import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobStage, TranscriptResult, TranscriptSegment } from '@ecg/contracts';
import { EngineError, type TranscriptionEngine } from '../engine/engine.js';
import { MlError } from '../errors.js';
import { assembleResult } from './assemble-result.js';
import { downloadToFile, type ResolveHost } from './download.js';
import { extractAudio } from './extract-audio.js';
import type { FfmpegTools } from './ffmpeg.js';
import { checkTranscribable, probeMedia } from './probe-media.js';

export interface PipelineDeps {
  /** Each job gets its own directory under here, removed when the job ends. */
  tmpRoot: string;
  tools: FfmpegTools;
  /** An engine whose scratch files go under `tmpDir` (the job's directory). */
  createEngine: (tmpDir: string) => TranscriptionEngine;
  model: { name: string; path: string };
  allowedOrigins: readonly string[];
  maxDownloadBytes: number;
  downloadTimeoutMs: number;
  maxMediaSeconds: number;
  transcribeTimeoutMs: number;
  threads: number;
  temperatureFallback: boolean;
  /** Silero VAD model; undefined turns VAD off. */
  vadModelPath: string | undefined;
  resolveHost?: ResolveHost;
}

export interface JobInput {
  jobId: string;
  videoUrl: string;
  language: string;
}

export interface JobHooks {
  signal: AbortSignal;
  /** `fraction` is how far through `stage` the job is (0..1). */
  onProgress: (stage: JobStage, fraction: number, message: string) => void;
  onSegment?: (segment: TranscriptSegment) => void;
}

/**
 * One job, start to result: download → probe → extract 16 kHz audio →
 * transcribe → assemble. Every failure leaves as an MlError with the code a
 * person can act on (an abort as CANCELLED; the caller reads `signal.reason`
 * to tell a cancel from a shutdown). Whatever happens, the job's temporary
 * directory (video, WAV, engine scratch files) is gone when this settles.
 * Delivery is the caller's: it must outlive this process.
 */
export async function runJob(job: JobInput, deps: PipelineDeps, hooks: JobHooks): Promise<TranscriptResult> {
  const { signal } = hooks;
  await mkdir(deps.tmpRoot, { recursive: true });
  const dir = await mkdtemp(join(deps.tmpRoot, `${job.jobId}-`));
  const timing: Record<string, number> = {};
  const started = performance.now();
  const lap = (name: string, since: number) => (timing[`${name}_seconds`] = round((performance.now() - since) / 1000));
  try {
    hooks.onProgress('downloading', 0, 'downloading the video');
    let t = performance.now();
    const inputPath = join(dir, 'input'); // no extension: ffmpeg must judge the bytes, not the name
    await downloadToFile({
      url: job.videoUrl,
      destPath: inputPath,
      allowedOrigins: deps.allowedOrigins,
      maxBytes: deps.maxDownloadBytes,
      timeoutMs: deps.downloadTimeoutMs,
      signal,
      resolveHost: deps.resolveHost,
      onProgress: (received, total) => {
        if (total) hooks.onProgress('downloading', received / total, 'downloading the video');
      },
    });
    lap('download', t);

    hooks.onProgress('extracting', 0, 'reading the media');
    t = performance.now();
    const info = await probeMedia(deps.tools, inputPath, signal);
    checkTranscribable(info, deps.maxMediaSeconds);
    const audioPath = join(dir, 'audio.wav');
    const { seconds } = await extractAudio({
      tools: deps.tools,
      inputPath,
      outputPath: audioPath,
      expectedSeconds: info.audioDurationSeconds ?? info.durationSeconds,
      expectedIsAudioDuration: info.audioDurationSeconds !== null,
      maxMediaSeconds: deps.maxMediaSeconds,
      signal,
      onProgress: (f) => hooks.onProgress('extracting', f, 'extracting the audio'),
    });
    // The video is no longer needed; free its disk space before the long step.
    await rm(inputPath, { force: true });
    lap('extract', t);

    hooks.onProgress('transcribing', 0, 'transcribing');
    t = performance.now();
    const engine = deps.createEngine(dir);
    const timeout = AbortSignal.timeout(deps.transcribeTimeoutMs);
    let segmentId = 0;
    let transcript;
    try {
      transcript = await engine.transcribe({
        audioPath,
        modelPath: deps.model.path,
        language: job.language,
        threads: deps.threads,
        temperatureFallback: deps.temperatureFallback,
        vadModelPath: deps.vadModelPath,
        signal: AbortSignal.any([signal, timeout]),
        onProgress: (p) => hooks.onProgress('transcribing', p / 100, 'transcribing'),
        onSegment: (s) => hooks.onSegment?.({ id: segmentId++, start: s.start, end: s.end, text: s.text.trim() }),
      });
    } catch (err) {
      if (timeout.aborted && !signal.aborted) {
        throw new MlError('PROCESSING_TIMEOUT', `transcription did not finish within ${Math.round(deps.transcribeTimeoutMs / 1000)} s (TRANSCRIBE_TIMEOUT_SECONDS)`, 504);
      }
      throw err;
    }
    lap('transcribe', t);

    hooks.onProgress('finalizing', 0, 'assembling the result');
    timing.total_seconds = round((performance.now() - started) / 1000);
    return assembleResult({
      transcript,
      durationSeconds: seconds,
      modelName: deps.model.name,
      engineName: engine.name,
      threads: deps.threads,
      timing,
    });
  } catch (err) {
    throw toMlError(err, signal);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function toMlError(err: unknown, signal: AbortSignal): MlError {
  if (signal.aborted) return new MlError('CANCELLED', 'the job was cancelled', 409);
  if (err instanceof MlError) return err;
  if (err instanceof EngineError) {
    if (err.code === 'MODEL_UNAVAILABLE') return new MlError('MODEL_UNAVAILABLE', err.message, 503);
    // CANCELLED without our signal aborted means the engine died under us: a failure, not a cancel.
    return new MlError('TRANSCRIPTION_ERROR', `transcription failed: ${err.message}`, 500);
  }
  return new MlError('INTERNAL_ERROR', `internal error: ${(err as Error)?.message ?? String(err)}`, 500);
}
