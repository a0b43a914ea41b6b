import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The backend's default nice value (BACKEND_NICE). On one machine with the
 * ML service (`npm start`), whisper.cpp fills the cores with threads that
 * meet at barriers, so a backend thread that takes a core's full share for a
 * few ms (a status poll costs 3-4 ms of CPU, a progress delivery 5-7 ms)
 * holds up the whole transcription: a thread spinning beside whisper-cli made
 * it 2.2x slower at nice 0, and -6% to +7% at nice 19 (66 s input, -t 2,
 * 2-core machine, 2026-12-02). Three runs of the whole-job bench in a row
 * (66 s speech, five jobs each) gave a transcribe stage of 0.984x and 1.014x
 * whisper-cli's time with the backend at nice 10, and 1.035x at nice 0 in
 * between. At 10 the backend still gets its requests through while
 * whisper.cpp runs (Linux weighs a nice-10 thread at about a tenth of a
 * nice-0 one, so a poll takes longer only while the cores are full), and on
 * a machine of its own nothing changes: nice only counts when threads
 * compete. The price, measured the same day: a status poll answered while
 * whisper.cpp transcribed took p50 9-10 ms, p90 25-39 ms, at most 43 ms at
 * nice 10, against p50 5-9 ms, p90 10-11 ms, at most 22 ms at nice 0 (two
 * stacks each, 16-25 polls 250 ms apart).
 */
export const DEFAULT_BACKEND_NICE = 10;

export interface PriorityDeps {
  platform: NodeJS.Platform;
  getPriority: (id: number) => number;
  setPriority: (id: number, nice: number) => void;
  /** This process's thread ids (Linux: /proc/self/task). */
  threadIds: () => number[];
}

const realDeps: PriorityDeps = {
  platform: process.platform,
  getPriority,
  setPriority,
  threadIds: () => readdirSync('/proc/self/task').map(Number),
};

/**
 * Lowers this whole process to `nice` (never raises it: that needs
 * privileges, and a process started lower was lowered on purpose). On Linux
 * a nice value belongs to each thread (man 2 setpriority, NOTES), so every
 * thread running now is lowered: the main thread and those V8 and libuv
 * started before this ran; threads started later inherit it from the thread
 * that starts them (the renders' ffmpegs too). Elsewhere the call with id 0
 * sets the whole process. Answers how many threads or processes it lowered.
 */
export function lowerProcessPriority(nice: number, deps: PriorityDeps = realDeps): number {
  if (nice <= 0) return 0;
  const ids = deps.platform === 'linux' ? deps.threadIds() : [0];
  let lowered = 0;
  for (const id of ids) {
    try {
      if (deps.getPriority(id) >= nice) continue;
      deps.setPriority(id, nice);
      lowered += 1;
    } catch {
      // A thread that ended between the listing and the call: nothing to lower.
    }
  }
  return lowered;
}
