/**
 * The worker thread behind diarizer-thread.ts: runs the built-in diarizer
 * (or the analysis's pitch track, pitch-track.ts) for each request it is
 * posted, several at once if need be (both yield between their pieces), and
 * aborts one when told to. It runs at the
 * lowest priority where the thread alone can be lowered (Linux).
 */
import { parentPort } from 'node:worker_threads';
import { isServiceError } from '@ecg/service-kit';
import { trackPitch } from '../analysis/pitch-track.js';
import { diarize } from './diarize.js';
import { lowerThisThreadPriority } from './lower-thread-priority.js';
import type { ThreadReply, ThreadRequest } from './diarizer-thread.js';

const port = parentPort;
if (!port) throw new Error('diarizer-thread-entry.ts runs as a worker thread only');
const running = new Map<number, AbortController>();
// Lowest priority first: the diarizer may run while whisper.cpp transcribes (run-job.ts).
port.postMessage({ kind: 'ready', lowPriority: lowerThisThreadPriority() } satisfies ThreadReply);

port.on('message', (msg: ThreadRequest) => {
  if (msg.kind === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const abort = new AbortController();
  running.set(msg.id, abort);
  const work = msg.kind === 'pitch' ? trackPitch({ ...msg.input, signal: abort.signal }) : diarize({ ...msg.input, signal: abort.signal });
  work.then(
    (result) => port.postMessage({ id: msg.id, ok: true, result } satisfies ThreadReply),
    (err: unknown) =>
      port.postMessage({
        id: msg.id,
        ok: false,
        error: isServiceError(err)
          ? { code: err.code, message: err.message, details: err.details }
          : { code: null, message: err instanceof Error ? err.message : String(err) },
      } satisfies ThreadReply),
  ).finally(() => running.delete(msg.id));
});
