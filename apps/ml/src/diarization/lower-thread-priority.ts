import { constants, setPriority } from 'node:os';

/**
 * Puts the calling thread, and only it, at the lowest priority (nice 19), so
 * that the diarizer can run while whisper.cpp transcribes and get its CPU in
 * thin slices (a thread spinning beside whisper-cli on 2 cores made it 2.2x
 * slower at nice 0 and changed it by -6% to +7% at nice 19, 2026-12-02).
 * Its compiles run on it too: the ML service starts with
 * --no-concurrent-recompilation (service-kit's node-flags.ts). On Linux a nice value belongs to a thread, and
 * `os.setPriority(0, …)` (setpriority(PRIO_PROCESS, 0, …)) sets the calling
 * thread's (man 2 setpriority, NOTES); a child process the thread spawns
 * inherits it. Elsewhere (macOS, Windows) the same call would lower the
 * whole service, so it is not made there: the answer is false, and the
 * caller keeps the diarizer out of whisper.cpp's way instead.
 */
export function lowerThisThreadPriority(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    setPriority(0, constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false;
  }
}
