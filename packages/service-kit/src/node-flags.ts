/**
 * Node.js flags the ECG service processes start with, wherever they are
 * started from (`npm start`, `npm run start:backend` / `start:ml`, each app's
 * own `npm start`, the benchmarks' stacks). V8 reads them only at start-up
 * (`v8.setFlagsFromString` comes too late) and NODE_OPTIONS refuses them, so
 * they have to be on the command line.
 *
 * Both services: `--no-memory-reducer`. V8's memory reducer runs up to three
 * full collections some 8 s after a burst of allocation, once the process
 * looks idle. A service looks idle exactly while whisper.cpp transcribes (the
 * backend only answers a status poll now and then), so those collections
 * landed on the cores whisper.cpp was using: measured on the 2-core
 * development machine (2026-12-01, 68 s jobs, 4 s apart), the backend and ML
 * processes used 0.10-0.50 CPU-s (median 0.31) while whisper-cli ran, and
 * 0.11-0.21 (median 0.12) with the flag; each CPU-second taken from
 * whisper.cpp lengthened it by about 0.7 s. Without the reducer the heap is
 * still collected whenever it grows; it is just not shrunk on idle, which in
 * that trace left the backend's heap at ~60 MB instead of ~44 MB.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];

/**
 * The ML service adds `--no-concurrent-recompilation`: TurboFan then compiles
 * a hot function on the thread that runs it instead of on V8's shared helper
 * threads. The diarizer runs beside whisper.cpp on a thread at nice 19
 * (diarization/lower-thread-priority.ts), but the helper threads that
 * compiled its code ran at nice 0, like whisper.cpp's own: with `--trace-opt`
 * a 66 s job recompiled the diarizer's hot functions every time, after
 * deoptimisations (frameLevels alone 14-16 ms a job).
 *
 * Measured with apps/ml/bench/service-cpu-during-whisper.ts (2026-12-02,
 * 2-core machine, 66 s jobs, six each way, CPU-s per job while whisper-cli
 * ran): the ML process's nice-0 helper threads used 0.06-0.25 (medians 0.08,
 * 0.09) without the flag and 0.00-0.04 (medians 0.01, 0.03) with it; the work
 * moved to the nice-19 diarizer thread (medians 0.07-0.08 → 0.12-0.13), so
 * the total is about the same. But where it runs matters: a thread spinning
 * beside whisper-cli (66 s input, -t 2, 2 cores) lengthened it 2.2-2.3x at
 * nice 0 (a core's full share, and whisper.cpp's other thread waits for the
 * slowed one at every barrier) and by -6% to +7% at nice 19. whisper-cli's
 * median wall time in the bench was 6.17 s with the flag against 6.96 s
 * without (flag measured first) and 5.23 s against 5.43 s (flag second).
 * The price is that the service's main thread stops for its own compiles
 * (a few ms each, a handful per job once warm).
 */
export const ML_NODE_FLAGS: readonly string[] = [...SERVICE_NODE_FLAGS, '--no-concurrent-recompilation'];

/** The flags one service starts with. */
export function nodeFlagsFor(service: 'backend' | 'ml'): readonly string[] {
  return service === 'ml' ? ML_NODE_FLAGS : SERVICE_NODE_FLAGS;
}
