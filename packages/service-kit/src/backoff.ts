export interface BackoffPolicy {
  /** Delay before the first retry, in ms (default 1 s). */
  baseMs?: number;
  /** No delay is ever longer than this (default 30 s). */
  maxMs?: number;
  /**
   * Up to this fraction of each delay is taken off at random (default 0.2),
   * so many retries started together (jobs queued while the ML service was
   * down, services restarting together) do not hit their target in the same
   * instant; 0.5 is "equal jitter" (AWS Architecture Blog, "Exponential
   * Backoff And Jitter"): never sooner than half the step.
   */
  jitter?: number;
  /** [0, 1), for tests. */
  random?: () => number;
}

/**
 * The one backoff formula of both services (webhooks, deliveries, downloads):
 * delay before retry `attempt` (1 = the first retry), doubling from `baseMs`,
 * capped at `maxMs`, less up to `jitter` of it at random. The 30 s default
 * cap bounds how long a finished result waits once the backend is back (it
 * was 5 min, and a restart was measured to cost a job 120 s).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = {}): number {
  const { baseMs = 1000, maxMs = 30_000, jitter = 0.2, random = Math.random } = policy;
  const n = Math.max(1, Math.floor(attempt));
  // 2^n overflows long after the cap applies; Math.min handles it.
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 60));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step * (1 - jitter * r));
}
