/**
 * The polling loop behind the dispatcher and the render worker: one tick at a
 * time, every `intervalMs` or sooner when kicked, never overlapping (a kick
 * during a tick runs another right after it), stoppable with the tick in
 * flight awaited. The timer is unref'd so the loop alone keeps no process alive.
 */
export interface TickLoop {
  start(): void;
  /** Stops scheduling; `beforeWait` runs before the tick in flight is awaited (to abort its calls). */
  stop(beforeWait?: () => void): Promise<void>;
  kick(): void;
  readonly stopped: boolean;
}

export function createTickLoop(opts: { intervalMs: number; tick: () => Promise<void>; onError: (err: unknown) => void }): TickLoop {
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let again = false;

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(runTick, delayMs);
    timer.unref();
  }

  function runTick(): void {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = opts
      .tick()
      .catch(opts.onError)
      .finally(() => {
        inFlight = undefined;
        const now = again;
        again = false;
        schedule(now ? 0 : opts.intervalMs);
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop(beforeWait) {
      stopped = true;
      clearTimeout(timer);
      beforeWait?.();
      await inFlight;
    },
    kick() {
      if (stopped) return;
      if (inFlight) again = true;
      else schedule(0);
    },
    get stopped() {
      return stopped;
    },
  };
}
