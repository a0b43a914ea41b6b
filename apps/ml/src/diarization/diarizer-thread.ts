import { Worker } from 'node:worker_threads';
import type { Diarization, ErrorCode } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import type { PitchTrack, PitchTrackInput } from '../analysis/pitch-track.js';
import type { DiarizeInput } from './diarize.js';

/**
 * The built-in diarizer on a thread of its own, so that it runs beside the
 * audio analysis instead of after it: both are single-threaded JavaScript,
 * and once whisper.cpp is done both cores are free. On 66 s of speech they
 * took 0.11 s and 0.24 s one after the other on the 2-core development
 * machine before their DSP moved to WebAssembly, and about 0.04 s and 0.09 s
 * after (2026-12-01, apps/ml/bench/analysis-speed.ts and diarize() alone);
 * side by side the pair takes the longer one's time. At the lowest priority
 * (Linux: the thread lowers itself, lower-thread-priority.ts) it can start
 * even before, while whisper.cpp transcribes (run-job.ts): with the 68 s
 * bench job on 2 cores it then finished inside the transcription, 0.1-0.2 s
 * after its start, and the stage after whisper.cpp shrank to the analysis.
 *
 * The same thread can measure the audio analysis's pitch track beside
 * whisper.cpp (pitch-track.ts): like the diarizer it needs only the WAV and
 * the speech regions. Low priority is not enough for that one, though; the
 * service asks for it only where a core is free (service.ts says why).
 * Where it is not measured beside whisper.cpp, the thread measures the later
 * half of it once whisper.cpp is done, beside the analysis measuring the
 * first (run-job.ts, trackPitchAfter): 66 s of speech, analysis alone 66 ms,
 * split 50 ms (median of 30, warm, 2-core machine, 2026-12-02).
 *
 * The thread is started once and kept (starting one costs a module load,
 * ~0.2 s under tsx), so call `warm()` when the service starts. A thread that
 * dies (a native crash, out of memory) fails the requests it had with
 * INTERNAL_ERROR and is replaced at the next request.
 */
export interface DiarizerThread {
  diarize(input: DiarizeInput): Promise<Diarization>;
  trackPitch(input: PitchTrackInput): Promise<PitchTrack>;
  /** Starts the thread and loads the diarizer now rather than at the first request. */
  warm(): Promise<void>;
  /**
   * Whether the thread runs at the lowest priority (nice 19; Linux,
   * lower-thread-priority.ts), so that it may run while whisper.cpp
   * transcribes; false until it has started.
   */
  runsAtLowPriority(): boolean;
  close(): Promise<void>;
}

/** What crosses to the thread: the input without its AbortSignal (which cannot be posted). */
export type ThreadRequest =
  | { kind: 'diarize'; id: number; input: Omit<DiarizeInput, 'signal'> }
  | { kind: 'pitch'; id: number; input: Omit<PitchTrackInput, 'signal'> }
  | { kind: 'cancel'; id: number };
export type ThreadReply =
  | { kind: 'ready'; lowPriority: boolean }
  | { id: number; ok: true; result: Diarization | PitchTrack }
  | { id: number; ok: false; error: { code: ErrorCode | null; message: string; details?: unknown } };

interface Pending {
  resolve: (result: Diarization | PitchTrack) => void;
  reject: (err: Error) => void;
}

export function createDiarizerThread(entry: URL = new URL('./diarizer-thread-boot.mjs', import.meta.url)): DiarizerThread {
  let worker: Worker | null = null;
  let online: Promise<void> | null = null;
  let nextId = 1;
  let lowPriority = false;
  const pending = new Map<number, Pending>();

  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new ServiceError('INTERNAL_ERROR', `the diarizer thread stopped: ${why}`));
    pending.clear();
  };

  function start(): Worker {
    if (worker) return worker;
    const w = new Worker(entry);
    worker = w;
    lowPriority = false; // until this thread says so
    online = new Promise<void>((resolve, reject) => {
      // The entry says so once its imports (the whole diarizer) are loaded.
      w.on('message', (msg: ThreadReply) => {
        if (!('kind' in msg)) return;
        lowPriority = msg.lowPriority === true;
        if (pending.size === 0) w.unref();
        resolve();
      });
      w.once('error', reject);
      w.once('exit', () => reject(new Error('the diarizer thread exited while starting')));
    });
    online.catch(() => {}); // reported through 'error' and 'exit' below
    w.on('message', (msg: ThreadReply) => {
      if ('kind' in msg) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (pending.size === 0) w.unref();
      if (msg.ok) p.resolve(msg.result);
      else if (msg.error.code) p.reject(new ServiceError(msg.error.code, msg.error.message, { details: msg.error.details }));
      else p.reject(new Error(msg.error.message));
    });
    w.on('error', (err) => {
      if (worker === w) worker = null;
      failAll(err.message);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(`exit code ${code}`);
    });
    // Starting or working, the thread keeps the process alive; idle, it does not.
    return w;
  }

  /** Posts one request; its AbortSignal becomes a cancel message. */
  function call(request: Extract<ThreadRequest, { kind: 'diarize' | 'pitch' }>, signal: AbortSignal | undefined, what: string): Promise<Diarization | PitchTrack> {
    if (signal?.aborted) return Promise.reject(new ServiceError('CANCELLED', `${what} cancelled`));
    const w = start();
    const { id } = request;
    return new Promise((resolve, reject) => {
      const onAbort = () => w.postMessage({ kind: 'cancel', id } satisfies ThreadRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      w.ref();
      pending.set(id, {
        resolve: (result) => (done(), resolve(result)),
        reject: (e) => (done(), reject(e)),
      });
      w.postMessage(request);
    });
  }

  return {
    diarize(input) {
      const { signal, ...rest } = input;
      return call({ kind: 'diarize', id: nextId++, input: rest }, signal, 'diarization') as Promise<Diarization>;
    },
    trackPitch(input) {
      const { signal, ...rest } = input;
      return call({ kind: 'pitch', id: nextId++, input: rest }, signal, 'pitch tracking') as Promise<PitchTrack>;
    },
    async warm() {
      start();
      await online;
    },
    runsAtLowPriority: () => worker !== null && lowPriority,
    async close() {
      const w = worker;
      worker = null;
      failAll('the service is shutting down');
      await w?.terminate();
    },
  };
}
