import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diarization, JobStage, SpeakerCountOptions, ThumbnailSprite, TranscribeOptions, TranscriptResult, TranscriptSegment, WaveformJson } from '@ecg/contracts';
import { analyzeRecording, type EmphasisThresholdsInput } from '../analysis/analyze-recording.js';
import type { PitchTrack, PitchTrackInput } from '../analysis/pitch-track.js';
import { assignSpeakers } from '../diarization/assign-speakers.js';
import { diarize, type DiarizeInput } from '../diarization/diarize.js';
import { EngineError, type EngineTranscript, type TranscribeRequest, type TranscriptionEngine } from '../engine/engine.js';
import { isServiceError, ServiceError } from '@ecg/service-kit';
import { analyzeVideo, type VideoAnalysisOutput } from '../video/analyze-video.js';
import { assembleResult, withVideo, withWarning } from './assemble-result.js';
import type { ResolveHost } from './download.js';
import { downloadWithRetry } from './download-with-retry.js';
import { extractAudio } from './extract-audio.js';
import type { FfmpegTools } from './ffmpeg.js';
import { checkTranscribable, probeMedia, type MediaInfo } from './probe-media.js';
import { readyWav, readyWavInfo } from './ready-wav.js';

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
  /** How long a storage origin that is not there (refused, reset, 502/503/504) is waited for. */
  downloadRetryMs: number;
  /** Delay after failed download attempt n; tests shorten it. */
  downloadBackoff?: (attempt: number) => number;
  maxMediaSeconds: number;
  transcribeTimeoutMs: number;
  threads: number;
  temperatureFallback: boolean;
  /** Silero VAD model; undefined turns VAD off. */
  vadModelPath: string | undefined;
  /** EMPHASIS_LOUD_DB / EMPHASIS_WHISPER_DB. */
  emphasisThresholds: EmphasisThresholdsInput;
  /**
   * Who spoke when (DIARIZATION): off skips it; `vadBinaryPath` is whisper.cpp's
   * `whisper-vad-speech-segments`, which finds speech with the Silero model
   * (`vadModelPath`); without either the diarizer finds speech by energy.
   */
  diarization: {
    enabled: boolean;
    vadBinaryPath: string | undefined;
    /** The diarizer; the built-in one unless a test passes its own. */
    diarize?: (input: DiarizeInput) => Promise<Diarization>;
    /**
     * Start the diarizer while whisper.cpp still transcribes, as soon as its
     * input is known (at once with VAD off, when the engine's VAD pass has
     * found the speech with VAD on), instead of after it. Only for a
     * diarizer that cannot slow whisper.cpp down: one at the lowest priority
     * (diarizer-thread.ts) or with a core of its own.
     */
    besideTranscription?: boolean;
  };
  /**
   * Measures the analysis's pitch track while whisper.cpp transcribes
   * (pitch-track.ts), started as soon as the speech regions are known, like
   * the diarizer; only for a runner on a core whisper.cpp leaves free
   * (service.ts says why not merely at low priority). Unset: the analysis
   * measures pitch after the transcript.
   */
  trackPitchBeside?: (input: PitchTrackInput) => Promise<PitchTrack>;
  /**
   * Measures the later half of the analysis's pitch track on another thread
   * (the diarizer's) after the transcript, while the analysis measures the
   * first half: once whisper.cpp is done its cores are free. Asked only when
   * no track was measured beside whisper.cpp and the diarizer is done, so
   * that it never waits behind the diarization.
   */
  trackPitchAfter?: (input: PitchTrackInput) => Promise<PitchTrack>;
  resolveHost?: ResolveHost;
}

export interface JobInput {
  jobId: string;
  videoUrl: string;
  language: string;
  /** How many speakers to look for; unset: found from the audio. */
  speakers?: SpeakerCountOptions;
  /** Task (transcribe | translate), prompt and temperature; unset: transcribe with the service's defaults. */
  decode?: TranscribeOptions;
}

export interface JobHooks {
  signal: AbortSignal;
  /** `fraction` is how far through `stage` the job is (0..1). */
  onProgress: (stage: JobStage, fraction: number, message: string) => void;
  onSegment?: (segment: TranscriptSegment) => void;
  /** Something went wrong that the job survives (the message also lands in the result's `warnings`). */
  onWarning?: (message: string, err: unknown) => void;
  /** Something the job is waiting out (storage not there yet), for the log; not a warning of the result. */
  onNotice?: (message: string, details: object) => void;
}

export interface JobOutput {
  /** Analysed (per-word volume_db, pitch_hz, emphasis; segment stats; `analysis`) unless analysis failed. */
  result: TranscriptResult;
  /** The audio's waveform overview; absent when analysis failed. */
  waveform?: WaveformJson;
  /** One thumbnail per shot, tiled; absent for audio-only media or when the video analysis failed. */
  thumbnails?: ThumbnailSprite;
}

/**
 * One job, start to result: download → probe → extract 16 kHz audio →
 * analyse the picture (shot changes, thumbnails; videos only) →
 * transcribe → assemble → analyse (loudness, pitch, emphasis, waveform) →
 * diarize (who spoke when). whisper-cli itself starts with the job and
 * loads its model while the audio is downloaded and extracted (the load is
 * ~80 ms of a job with the tiny model, seconds with the large ones), and is
 * handed the WAV once it is ready. Every failure leaves as an ServiceError with the code a
 * person can act on (an abort as CANCELLED; the caller reads `signal.reason`
 * to tell a cancel from a shutdown). Whatever happens, the job's temporary
 * directory (video, WAV, engine scratch files) is gone when this settles.
 * Delivery is the caller's: it must outlive this process.
 */
export async function runJob(job: JobInput, deps: PipelineDeps, hooks: JobHooks): Promise<JobOutput> {
  const { signal } = hooks;
  await mkdir(deps.tmpRoot, { recursive: true });
  const dir = await mkdtemp(join(deps.tmpRoot, `${job.jobId}-`));
  const timing: Record<string, number> = {};
  const started = performance.now();
  const lap = (name: string, since: number) => (timing[`${name}_seconds`] = round((performance.now() - since) / 1000));
  // whisper.cpp starts at once and loads its model while the audio is downloaded and extracted
  // (engine.ts, audioReady): the audio is handed over when it is ready, or the engine stopped.
  const audioPath = join(dir, 'audio.wav');
  let handOver: { resolve: () => void; reject: (reason: unknown) => void } = { resolve: () => {}, reject: () => {} };
  const audioReady = new Promise<void>((resolve, reject) => (handOver = { resolve, reject }));
  audioReady.catch(() => {}); // a rejection is the engine's to hear, and it may not have started listening yet
  const stopEngine = new AbortController();
  // TRANSCRIBE_TIMEOUT_SECONDS counts from the hand-over, not from the download.
  const transcribeTimeout = new AbortController();
  let timeoutTimer: NodeJS.Timeout | undefined;
  let transcription: Promise<EngineTranscript> | undefined;
  try {
    // The diarizer reads only the WAV and the speech regions, not the words, so it may start before
    // the transcript is there (besideTranscription); a failed transcription stops it.
    const stopDiarizer = new AbortController();
    const diarizerSignal = AbortSignal.any([signal, stopDiarizer.signal]);
    const diarizer: { running?: Promise<{ value: DiarizeOutcome; seconds: number }>; settled?: boolean } = {};
    const startDiarizer = (speechRegions: readonly { start: number; end: number }[] | undefined) => {
      if (diarizer.running) return;
      diarizer.running = timed(() => diarizeOrWarn(audioPath, job.speakers ?? {}, speechRegions, deps, diarizerSignal, hooks));
      // A cancel can reject it while the engine still runs, before anything awaits it; it is awaited below.
      diarizer.running.then(
        () => (diarizer.settled = true),
        () => (diarizer.settled = true),
      );
    };
    const early = deps.diarization.enabled && deps.diarization.besideTranscription === true;
    const pitch: { running?: Promise<PitchTrack | undefined> } = {};
    const startPitch = (regions: readonly { start: number; end: number }[] | undefined) => {
      if (pitch.running || !deps.trackPitchBeside) return;
      // A failed or cancelled track only means the analysis measures every frame itself.
      pitch.running = deps.trackPitchBeside({ wavPath: audioPath, ...(regions ? { regions } : {}), signal: diarizerSignal }).catch(() => undefined);
    };
    const beside = (regions: readonly { start: number; end: number }[] | undefined) => {
      if (early) startDiarizer(regions);
      startPitch(regions);
    };
    const engine = deps.createEngine(dir);
    let segmentId = 0;
    transcription = engine.transcribe({
      audioPath,
      audioReady,
      modelPath: deps.model.path,
      language: job.language,
      threads: deps.threads,
      temperatureFallback: deps.temperatureFallback,
      vadModelPath: deps.vadModelPath,
      ...decodeOptions(job.decode),
      signal: AbortSignal.any([signal, stopEngine.signal, transcribeTimeout.signal]),
      onProgress: (p) => hooks.onProgress('transcribing', p / 100, 'transcribing'),
      onSegment: (s) => hooks.onSegment?.({ id: segmentId++, start: s.start, end: s.end, text: s.text.trim() }),
      ...(early || deps.trackPitchBeside ? { onSpeechRegions: (regions: Array<{ start: number; end: number }>) => beside(regions) } : {}),
    });
    // Awaited below, or in `finally` when the job ends before the audio is ready.
    transcription.catch(() => {});
    hooks.onProgress('downloading', 0, 'downloading the video');
    let t = performance.now();
    const inputPath = join(dir, 'input'); // no extension: ffmpeg must judge the bytes, not the name
    await downloadWithRetry({
      url: job.videoUrl,
      destPath: inputPath,
      allowedOrigins: deps.allowedOrigins,
      maxBytes: deps.maxDownloadBytes,
      timeoutMs: deps.downloadTimeoutMs,
      retryForMs: deps.downloadRetryMs,
      backoff: deps.downloadBackoff,
      signal,
      resolveHost: deps.resolveHost,
      onProgress: (received, total) => {
        if (total) hooks.onProgress('downloading', received / total, 'downloading the video');
      },
      onRetry: ({ attempt, reason, delayMs }) => {
        const seconds = Math.max(1, Math.round(delayMs / 1000));
        hooks.onProgress('downloading', 0, `waiting for storage (${reason}); trying the download again in ${seconds} s`);
        hooks.onNotice?.('storage not reachable; retrying the download', { attempt, reason, retryInMs: delayMs });
      },
    });
    lap('download', t);

    hooks.onProgress('extracting', 0, 'reading the media');
    t = performance.now();
    const ready = await readyWav(inputPath);
    let info: MediaInfo;
    let seconds: number;
    if (ready) {
      // Already 16 kHz mono PCM: whisper.cpp reads it as it is (ready-wav.ts says why).
      info = readyWavInfo(ready);
      checkTranscribable(info, deps.maxMediaSeconds);
      await rename(inputPath, audioPath);
      seconds = ready.seconds;
    } else {
      info = await probeMedia(deps.tools, inputPath, signal);
      checkTranscribable(info, deps.maxMediaSeconds);
      ({ seconds } = await extractAudio({
        tools: deps.tools,
        inputPath,
        outputPath: audioPath,
        expectedSeconds: info.audio?.durationSeconds ?? info.durationSeconds,
        expectedIsAudioDuration: (info.audio?.durationSeconds ?? null) !== null,
        maxMediaSeconds: deps.maxMediaSeconds,
        signal,
        onProgress: (f) => hooks.onProgress('extracting', f * (info.video ? AUDIO_SHARE_OF_EXTRACTING : 1), 'extracting the audio'),
      }));
    }
    lap('extract', t);
    t = performance.now();
    // Shot changes and thumbnails come from the picture, so the input stays until they are read.
    const video = info.video ? await analyzeVideoOrWarn(deps.tools, info, inputPath, dir, signal, hooks) : null;
    if (info.video) lap('video_analysis', t);
    // The video is no longer needed; free its disk space before the long step.
    await rm(inputPath, { force: true });

    hooks.onProgress('transcribing', 0, 'transcribing');
    t = performance.now();
    handOver.resolve();
    timeoutTimer = setTimeout(() => transcribeTimeout.abort(), deps.transcribeTimeoutMs);
    // Without whisper.cpp's VAD the diarizer finds speech itself, so nothing need be waited for.
    if (!deps.vadModelPath) beside(undefined);
    let transcript;
    try {
      transcript = await transcription;
    } catch (err) {
      stopDiarizer.abort();
      await diarizer.running?.catch(() => {}); // its own outcome does not matter now; it must not outlive the dir
      await pitch.running;
      if (transcribeTimeout.signal.aborted && !signal.aborted) {
        throw new ServiceError('PROCESSING_TIMEOUT', `transcription did not finish within ${Math.round(deps.transcribeTimeoutMs / 1000)} s (TRANSCRIBE_TIMEOUT_SECONDS)`);
      }
      throw err;
    }
    lap('transcribe', t);
    // A translation is English whatever was spoken: the result's language is the text's, so the
    // captions are laid out (and checked) by the English profile, and OpenAI's verbose_json says "english".
    if (job.decode?.task === 'translate') transcript = { ...transcript, language: 'en' };

    const assembled = assembleResult({
      transcript,
      durationSeconds: seconds,
      modelName: deps.model.name,
      engineName: engine.name,
      threads: deps.threads,
      timing,
    });

    // The analysis and the diarizer read the WAV the engine read (so word times
    // line up with samples), which is why they run here, before `finally`
    // removes the dir. They run side by side: the diarizer on its own thread
    // (diarizer-thread.ts), started already if it could run beside whisper.cpp,
    // the analysis here, each on one of the cores whisper.cpp has just freed.
    // The analysis takes the pitch track measured beside whisper.cpp when there
    // is one, and measures only what it lacks.
    hooks.onProgress('analyzing', 0, deps.diarization.enabled ? 'measuring how each word was said and finding who speaks when' : 'measuring how each word was said');
    t = performance.now();
    // The other thread takes half the pitch track when it has nothing else to do: no track was
    // measured beside whisper.cpp, and the diarizer finished beside it (or does not run).
    const trackPitchAfter = deps.trackPitchAfter;
    const speechRegions = transcript.speechRegions;
    const laterPitch =
      trackPitchAfter && !pitch.running && (diarizer.running ? diarizer.settled : !deps.diarization.enabled)
        ? (fromSeconds: number) => trackPitchAfter({ wavPath: audioPath, fromSeconds, ...(speechRegions ? { regions: speechRegions } : {}), signal: diarizerSignal })
        : undefined;
    if (deps.diarization.enabled) startDiarizer(speechRegions);
    // Settled before anything below can throw, so a failed analysis never leaves the diarizer's promise unheard.
    const [analysis, diarization] = await Promise.allSettled([
      timed(async () => {
        signal.throwIfAborted();
        return analyzeOrWarn(audioPath, assembled, deps.emphasisThresholds, { track: await pitch.running, later: laterPitch }, signal, hooks);
      }),
      diarizer.running ?? null,
    ]);
    if (analysis.status === 'rejected') throw analysis.reason;
    if (diarization.status === 'rejected') throw diarization.reason;
    // analyzeRecording takes no signal (it is ~0.25 s per audio minute), so a cancel during it lands here.
    signal.throwIfAborted();
    const analysed = analysis.value.value;
    timing.analyze_seconds = round(analysis.value.seconds);
    let diarized = analysed.result;
    if (diarization.value) {
      timing.diarize_seconds = round(diarization.value.seconds);
      const found = diarization.value.value;
      diarized = 'warning' in found ? withWarning(diarized, found.warning) : assignSpeakers(diarized, found.diarization);
    }
    lap('analyze_and_diarize', t);

    hooks.onProgress('finalizing', 0, 'assembling the result');
    timing.total_seconds = round((performance.now() - started) / 1000);
    const result = withVideo(diarized, video?.analysis?.video, video?.warning);
    return { ...analysed, ...(video?.analysis?.thumbnails ? { thumbnails: video.analysis.thumbnails } : {}), result: { ...result, timing: { ...timing } } };
  } catch (err) {
    throw toMlError(err, signal);
  } finally {
    clearTimeout(timeoutTimer);
    // A job that ended before its audio was ready stops the engine, which must not outlive the dir:
    // the rejection stops a waiting whisper-cli, the abort any engine that only hears its signal.
    handOver.reject(new Error('the job ended before its audio was ready'));
    stopEngine.abort();
    await transcription?.catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/** The engine's decode options from the job's, leaving out what the job did not set. */
function decodeOptions(decode: TranscribeOptions | undefined): Pick<TranscribeRequest, 'task' | 'prompt' | 'temperature'> {
  if (!decode) return {};
  return {
    ...(decode.task ? { task: decode.task } : {}),
    ...(decode.prompt ? { prompt: decode.prompt } : {}),
    ...(decode.temperature !== undefined ? { temperature: decode.temperature } : {}),
  };
}

/**
 * Runs the audio analysis; when it fails the transcript is still delivered.
 *
 * Policy: the transcript is what the user waited for (hours of CPU for a long
 * video), the analysis an extra on top, so a failure in the analysis itself
 * (a bug, an unexpected measurement) is logged and the result goes out without
 * analysis fields and without a waveform, carrying `warnings: ["analysis
 * failed: …"]` so the backend and the person can see why. The one exception is
 * a WAV the analysis cannot read (AUDIO_EXTRACTION_ERROR): that is the same
 * file the engine just transcribed, so the transcript of it cannot be trusted
 * either, and the job fails loudly with that code.
 */
async function analyzeOrWarn(
  wavPath: string,
  result: TranscriptResult,
  thresholds: EmphasisThresholdsInput,
  pitch: { track: PitchTrack | undefined; later: ((fromSeconds: number) => Promise<PitchTrack>) | undefined },
  signal: AbortSignal,
  hooks: JobHooks,
): Promise<JobOutput> {
  try {
    return await analyzeRecording({ wavPath, result, thresholds, ...(pitch.track ? { pitch: pitch.track } : {}), ...(pitch.later ? { laterPitch: pitch.later } : {}) });
  } catch (err) {
    if (signal.aborted) throw err;
    if (isServiceError(err) && err.code === 'AUDIO_EXTRACTION_ERROR') throw err;
    const message = `analysis failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
    hooks.onWarning?.(message, err);
    return { result: withWarning(result, message) };
  }
}

type DiarizeOutcome = { diarization: Diarization } | { warning: string };

/**
 * Finds who spoke when; when that fails the transcript goes out without
 * speakers. Same policy as the analyses (analyzeOrWarn): speakers are worth
 * a lot, but not the transcript the person waited for, so a failure is
 * logged and lands in `warnings`. Only a cancel is thrown.
 */
async function diarizeOrWarn(
  wavPath: string,
  counts: SpeakerCountOptions,
  /** Silero's regions from the engine's own VAD pass (VAD on): the diarizer need not run the VAD again. */
  speechRegions: readonly { start: number; end: number }[] | undefined,
  deps: PipelineDeps,
  signal: AbortSignal,
  hooks: JobHooks,
): Promise<DiarizeOutcome> {
  try {
    const run = deps.diarization.diarize ?? diarize;
    const diarization = await run({
      wavPath,
      vadModelPath: deps.vadModelPath,
      vadBinaryPath: deps.diarization.vadBinaryPath,
      ...(speechRegions ? { speechRegions } : {}),
      ...(counts.num_speakers !== undefined ? { numSpeakers: counts.num_speakers } : {}),
      ...(counts.min_speakers !== undefined ? { minSpeakers: counts.min_speakers } : {}),
      ...(counts.max_speakers !== undefined ? { maxSpeakers: counts.max_speakers } : {}),
      threads: deps.threads,
      signal,
    });
    return { diarization };
  } catch (err) {
    if (signal.aborted) throw err;
    const message = `diarization failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
    hooks.onWarning?.(message, err);
    return { warning: message };
  }
}

/** Runs `f` and says how long it took. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

/** The audio decode is quick next to the picture's (see `npm run bench`), so it gets a quarter of the extracting stage when both run. */
const AUDIO_SHARE_OF_EXTRACTING = 0.25;

/**
 * The video analysis may take 60 s plus half the media's duration: a decode
 * of 1080p costs a small fraction of that on 2 cores (`npm run bench`), but a
 * 4K or 8K upload on a slow machine could cost more than the transcript it
 * accompanies, and shot changes are not worth that.
 */
export function videoAnalysisBudgetMs(durationSeconds: number | null): number {
  return Math.round((60 + 0.5 * Math.max(0, durationSeconds ?? 0)) * 1000);
}

/**
 * Runs the video analysis; when it fails the job goes on without it. Same
 * policy as the audio analysis (analyzeOrWarn): shot changes and thumbnails
 * are extras on top of the transcript, so a failure (a stream ffmpeg cannot
 * decode, a budget run out) is logged and ends up in the result's `warnings`
 * (with no `video` and no thumbnails); only a cancel stops the job.
 */
async function analyzeVideoOrWarn(
  tools: FfmpegTools,
  info: MediaInfo,
  inputPath: string,
  workDir: string,
  signal: AbortSignal,
  hooks: JobHooks,
): Promise<{ analysis?: VideoAnalysisOutput; warning?: string }> {
  const message = 'analysing the video (shot changes)';
  const budgetMs = videoAnalysisBudgetMs(info.durationSeconds);
  const budget = AbortSignal.timeout(budgetMs);
  hooks.onProgress('extracting', AUDIO_SHARE_OF_EXTRACTING, message);
  try {
    const analysis = await analyzeVideo({
      tools,
      inputPath,
      stream: info.video!,
      workDir,
      durationSeconds: info.durationSeconds,
      signal: AbortSignal.any([signal, budget]),
      onProgress: (f) => hooks.onProgress('extracting', AUDIO_SHARE_OF_EXTRACTING + (1 - AUDIO_SHARE_OF_EXTRACTING) * f, message),
    });
    return { analysis };
  } catch (err) {
    if (signal.aborted) throw err;
    const why = budget.aborted
      ? `it took longer than its ${Math.round(budgetMs / 1000)} s budget (60 s plus half the media's duration)`
      : err instanceof Error ? err.message : String(err);
    const warning = `video analysis failed: ${why}`.slice(0, 1000);
    hooks.onWarning?.(warning, err);
    return { warning };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function toMlError(err: unknown, signal: AbortSignal): ServiceError {
  if (signal.aborted) return new ServiceError('CANCELLED', 'the job was cancelled');
  if (err instanceof ServiceError) return err;
  if (err instanceof EngineError) {
    if (err.code === 'MODEL_UNAVAILABLE') return new ServiceError('MODEL_UNAVAILABLE', err.message);
    // CANCELLED without our signal aborted means the engine died under us: a failure, not a cancel.
    return new ServiceError('TRANSCRIPTION_ERROR', `transcription failed: ${err.message}`);
  }
  return new ServiceError('INTERNAL_ERROR', `internal error: ${(err as Error)?.message ?? String(err)}`);
}
