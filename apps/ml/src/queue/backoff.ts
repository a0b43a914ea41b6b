/**
 * Delay before delivery attempt number `attempt` (1 = the first retry):
 * exponential from `baseMs`, capped at `maxMs`, with up to `jitter` of it
 * taken off at random so many services restarting together don't retry in
 * lock-step against a backend that just came back. The 30 s cap bounds how
 * long a finished result waits after the backend is back (it was 5 min, and a
 * restart was measured to cost a job 120 s); a retry every 30 s of a small
 * POST costs nothing.
 */
export function backoffDelayMs(
  attempt: number,
  opts: { baseMs?: number; maxMs?: number; jitter?: number; random?: () => number } = {},
): number {
  const { baseMs = 1000, maxMs = 30_000, jitter = 0.2, random = Math.random } = opts;
  const n = Math.max(1, Math.floor(attempt));
  // 2^n overflows to Infinity long after the cap applies; Math.min handles it.
  const raw = Math.min(maxMs, baseMs * 2 ** (n - 1));
  return Math.round(raw * (1 - jitter * random()));
}
