/**
 * When `npm start` restarts a service that died, and when it stops trying.
 * Pure: the supervisor (scripts/start.ts) passes the times of the service's
 * earlier restarts and the clock, and acts on the answer.
 */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more death than that and the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first restart; it doubles with each restart still inside the window. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Five in a minute: a service that dies on every start (a bad setting, a port
 * in use) is restarted a handful of times, about 8 s in all, and then the
 * supervisor stops with its reason instead of looping forever; one that dies
 * once in a while (an out-of-memory kill) is always brought back.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, baseDelayMs: 500, maxDelayMs: 8000 };

export type RestartDecision =
  /** Start it again after `delayMs`; `restarts` is the history to pass next time. */
  | { action: 'restart'; delayMs: number; restarts: number[] }
  | { action: 'give-up'; reason: string };

/** What to do about a service that just exited unasked, given when it was restarted before (ms timestamps). */
export function decideRestart(previousRestarts: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const recent = previousRestarts.filter((t) => t > now - policy.windowMs && t <= now);
  if (recent.length >= policy.maxRestarts) {
    return {
      action: 'give-up',
      reason: `it was already restarted ${recent.length} times within ${Math.round(policy.windowMs / 1000)} s`,
    };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** recent.length);
  return { action: 'restart', delayMs, restarts: [...recent, now] };
}
