/**
 * The polling loop behind the dispatcher and the render worker: one tick at a
 * time, every `intervalMs` or sooner when kicked, never overlapping (a kick
 * during a tick runs another right after it), stoppable with the tick in
 * flight awaited. The timer is unref'd so the loop alone keeps no process alive.
 *
 * A tick the timer brings first asks `due` (when given) whether there is
 * anything to do, and is skipped when not: a full tick is several queries, a
 * `due` answer none or one (db/due-cache.ts). A kick, and the first tick
 * after start, always run in full: whoever kicks knows there is work.
 */
export interface TickLoop {
  start(): void;
  /** Stops scheduling; `beforeWait` runs before the tick in flight is awaited (to abort its calls). */
  stop(beforeWait?: () => void): Promise<void>;
  kick(): void;
  readonly stopped: boolean;
}

export interface TickLoopOptions {
  intervalMs: number;
  tick: () => Promise<void>;
  /** Asked before each tick the timer brings; false skips that tick. */
  due?: () => Promise<boolean>;
  onError: (err: unknown) => void;
}

export function createTickLoop(opts: TickLoopOptions): TickLoop {
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let again = false;
  const due = opts.due;

  function schedule(delayMs: number, full: boolean): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => runTick(full), delayMs);
    timer.unref();
  }

  async function pass(full: boolean): Promise<void> {
    if (!full && due && !(await due())) return;
    if (stopped) return;
    await opts.tick();
  }

  function runTick(full: boolean): void {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = pass(full)
      .catch(opts.onError)
      .finally(() => {
        inFlight = undefined;
        const now = again;
        again = false;
        schedule(now ? 0 : opts.intervalMs, now);
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0, true);
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
      else schedule(0, true);
    },
    get stopped() {
      return stopped;
    },
  };
}
