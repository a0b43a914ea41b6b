export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): exponential growth
 * from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so many jobs queued while the ML service was down do not all hit it
 * in the same instant when it returns, yet no retry comes sooner than half
 * its step. `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2 ** 60 would overflow into Infinity-ish floats long before it matters; the cap decides anyway.
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 40));
  const half = step / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(policy.maxMs, half + r * half));
}
