import type { JobStage } from '@ecg/contracts';

/**
 * How the 0..100 progress a person sees is split across the pipeline stages.
 * Transcription dominates the wall time, so it gets most of the bar and follows
 * the engine's own percentage; the other stages are short and get thin slices.
 * Audio analysis takes about 0.25 s per audio minute (a minute for 4 h of
 * audio), so it gets a visible 5 % rather than none: a bar frozen at the end
 * of transcription for a minute looks hung.
 */
export const STAGE_RANGES: Readonly<Partial<Record<JobStage, readonly [number, number]>>> = {
  queued: [0, 0],
  downloading: [0, 10],
  extracting: [10, 20],
  transcribing: [20, 85],
  analyzing: [85, 90],
  finalizing: [90, 95],
  delivering: [95, 100],
  completed: [100, 100],
};

/** Overall progress for `fraction` (0..1, clamped) of the way through `stage`. */
export function stageProgress(stage: JobStage, fraction: number): number {
  const range = STAGE_RANGES[stage];
  if (!range) return 0;
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return range[0] + (range[1] - range[0]) * f;
}

/**
 * Keeps progress monotonic: a stage restarting its own count (a retry, an
 * engine that reports 0 again) must never move the bar backwards. Values are
 * whole percents, the unit the original clients display.
 */
export class ProgressTracker {
  #value = 0;
  #stage: JobStage = 'queued';

  get value(): number {
    return this.#value;
  }

  get stage(): JobStage {
    return this.#stage;
  }

  /** Moves to `stage` at `fraction`; returns true when the stage or the whole percent changed. */
  update(stage: JobStage, fraction: number): boolean {
    const next = Math.max(this.#value, Math.floor(stageProgress(stage, fraction)));
    const changed = next !== this.#value || stage !== this.#stage;
    this.#value = next;
    this.#stage = stage;
    return changed;
  }
}

/**
 * Seconds left, extrapolated from the average rate so far. Unknown (null)
 * until there is enough progress to extrapolate from: at 1 % a linear guess is
 * noise, and a wildly wrong ETA is worse than none.
 */
export function estimateEtaSeconds(elapsedSeconds: number, progress: number, minProgress = 3): number | null {
  if (!(elapsedSeconds > 0) || !(progress >= minProgress)) return null;
  if (progress >= 100) return 0;
  const rate = progress / elapsedSeconds;
  return Math.max(0, Math.round((100 - progress) / rate));
}
