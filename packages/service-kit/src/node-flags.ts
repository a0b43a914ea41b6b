/**
 * Node.js flags every ECG service process starts with, wherever it is
 * started from (`npm start`, `npm run start:backend` / `start:ml`, the
 * benchmarks' stacks).
 *
 * `--no-memory-reducer`: V8's memory reducer runs up to three full
 * collections some 8 s after a burst of allocation, once the process looks
 * idle. A service looks idle exactly while whisper.cpp transcribes (the
 * backend only answers a status poll now and then), so those collections
 * landed on the cores whisper.cpp was using: measured on the 2-core
 * development machine (2026-12-01, 68 s jobs, 4 s apart), the backend and ML
 * processes used 0.10-0.50 CPU-s (median 0.31) while whisper-cli ran, and
 * 0.11-0.21 (median 0.12) with the flag; each CPU-second taken from
 * whisper.cpp lengthened it by about 0.7 s. Without the reducer the heap is
 * still collected whenever it grows; it is just not shrunk on idle, which in
 * that trace left the backend's heap at ~60 MB instead of ~44 MB.
 *
 * V8 reads it only at start-up (`v8.setFlagsFromString` comes too late) and
 * NODE_OPTIONS refuses it, so it has to be on the command line.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];
