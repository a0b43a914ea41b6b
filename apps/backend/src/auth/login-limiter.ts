/**
 * Failed logins per key (an account's email, a client's address) in a
 * sliding window. Only failures count, so a person who types the password
 * right is never slowed; past `max` failures in `windowMs`, every attempt
 * is refused until the oldest failure leaves the window, a right password
 * included, which is what stops guessing. Kept in memory: one backend's
 * count; behind several backends each counts its own share.
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    /** Keys remembered at most; the stalest go first, so a flood of made-up emails cannot grow memory without bound. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again; 0 when it may now. */
  retryAfterSeconds(key: string): number {
    const times = this.live(key);
    if (times.length < this.max) return 0;
    const oldest = times[times.length - this.max] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  recordFailure(key: string): void {
    const times = this.live(key);
    times.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > this.maxKeys) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private live(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
