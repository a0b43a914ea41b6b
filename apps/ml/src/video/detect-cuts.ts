/**
 * Hard cuts from per-frame content scores, with a threshold that adapts to
 * the neighbourhood (the method of PySceneDetect's AdaptiveDetector): a frame
 * starts a new shot when its score is both
 *
 * - at least `minRatio` times the mean score of the `windowFrames` frames on
 *   each side of it (a cut is a spike; motion, a zoom or sensor noise raise
 *   the neighbours' scores as much as the frame's own, so they never spike), and
 * - at least `minScore` (a spike over a still shot can be a hand moving);
 *
 * and it is not a flash (the picture before the spike comes back within
 * `windowFrames`), and the shot it ends has lasted `minShotFrames`.
 * A fixed threshold on the score alone cannot work: a noisy shot scores
 * higher on every frame than some real cuts do.
 *
 * Frames, not seconds: the detector sees frame indices only (the caller
 * knows their times). Streaming: a frame is decided once the `windowFrames`
 * after it are in, so the caller never holds more than a few frames. The
 * last `windowFrames` frames of a video are never cuts: with their window
 * cut short by the end, a spike cannot be told from motion (and a shot of 2
 * frames at the very end is no shot to time a caption to).
 */

export interface CutDetectorOptions {
  /** Neighbours on each side whose mean score a cut must exceed `minRatio` times. */
  windowFrames: number;
  minRatio: number;
  /** Least content score (frame-difference.ts scale, 0..255) of a cut. */
  minScore: number;
  /** Least length of a shot in frames; a second spike sooner is not a new shot. */
  minShotFrames: number;
  /**
   * A spike is a flash when the picture around it comes back: the frames
   * either side of it (windowFrames + 1 apart) differ by less than this share
   * of the spike's own score.
   */
  flashShare: number;
}

/**
 * The defaults. windowFrames 2, minRatio 3, minShotFrames 15: PySceneDetect's
 * AdaptiveDetector defaults (window_width=2, adaptive_threshold=3.0,
 * min_scene_len=15, i.e. 0.5 s at 30 fps). minScore 8: PySceneDetect's
 * min_content_val (15) is on its HSV scale, so this one was set from the
 * scores of the test videos (apps/ml/test/video-detect-real.test.ts, 320x180
 * H.264 analysed at 160x90): real cuts scored 49.6 to 87 with ratios of 9.1
 * and up; every other frame scored at most 11.6 (a noisy shot, every frame
 * alike) with a ratio of at most 1.26 wherever it scored 2 or more. So the
 * ratio does the work, with wide margins on both sides of 3, and minScore
 * only stops a small change over a still shot (ratio unbounded over a
 * near-zero neighbourhood) from counting; 8 leaves room for real cuts between
 * shots of similar look, which these synthetic shots do not measure.
 * flashShare 0.5: a cut leaves the old picture for good (the later frame
 * differs from the old one as much as the spike did, share ~1), a flash
 * returns to it (share near 0).
 */
export const DEFAULT_CUT_DETECTOR: Readonly<CutDetectorOptions> = {
  windowFrames: 2,
  minRatio: 3,
  minScore: 8,
  minShotFrames: 15,
  flashShare: 0.5,
};

/**
 * `differenceAcross(before, after)`: the content score between two frames
 * that are not neighbours (frame indices, at most windowFrames + 1 before a
 * candidate and windowFrames after it: the caller holds the newest
 * 2 × windowFrames + 2 frames). Without it there is no flash check.
 */
export type DifferenceAcross = (before: number, after: number) => number;

interface Scored {
  index: number;
  score: number;
}

export class AdaptiveCutDetector {
  readonly #o: CutDetectorOptions;
  readonly #across: DifferenceAcross | undefined;
  /** Frames from #next - windowFrames up to the newest. */
  #recent: Scored[] = [];
  #pushed = 0;
  /** The next frame to decide. */
  #next = 0;
  #shotStart = 0;

  constructor(options: Partial<CutDetectorOptions> = {}, differenceAcross?: DifferenceAcross) {
    this.#o = { ...DEFAULT_CUT_DETECTOR, ...options };
    if (!(Number.isInteger(this.#o.windowFrames) && this.#o.windowFrames >= 1)) throw new RangeError('windowFrames must be a whole number >= 1');
    if (!(Number.isInteger(this.#o.minShotFrames) && this.#o.minShotFrames >= 1)) throw new RangeError('minShotFrames must be a whole number >= 1');
    this.#across = differenceAcross;
  }

  get options(): Readonly<CutDetectorOptions> {
    return this.#o;
  }

  /**
   * The next frame's score (difference from the frame before; ignored for
   * frame 0). Returns the frames (indices) now known to start a new shot, in
   * order; at most `windowFrames` behind the newest.
   */
  push(score: number): number[] {
    const index = this.#pushed++;
    this.#recent.push({ index, score: Number.isFinite(score) && score > 0 ? score : 0 });
    const cuts: number[] = [];
    while (this.#next + this.#o.windowFrames <= index) this.#decide(this.#next++, cuts);
    this.#trim();
    return cuts;
  }

  #trim(): void {
    const keepFrom = this.#next - this.#o.windowFrames;
    let drop = 0;
    while (drop < this.#recent.length && this.#recent[drop]!.index < keepFrom) drop++;
    if (drop > 0) this.#recent.splice(0, drop);
  }

  #decide(index: number, cuts: number[]): void {
    if (index === 0) return; // the first frame starts the video, not a new shot
    const w = this.#o.windowFrames;
    const first = this.#recent[0]!.index;
    const target = this.#recent[index - first]!;
    let sum = 0;
    let n = 0;
    for (const f of this.#recent) {
      // Frame 0 has no score: it has no frame before it.
      if (f.index === index || f.index === 0 || f.index < index - w || f.index > index + w) continue;
      sum += f.score;
      n++;
    }
    const mean = n > 0 ? sum / n : 0;
    const spikes = target.score >= this.#o.minScore && (mean <= 1e-9 || target.score >= this.#o.minRatio * mean);
    if (!spikes) return;
    if (this.#isFlash(index, target.score)) return;
    if (index - this.#shotStart < this.#o.minShotFrames) return;
    this.#shotStart = index;
    cuts.push(index);
  }

  /**
   * A spike is a flash when the picture comes back: the frame `windowFrames`
   * after it looks like the one before it (the flash starts here), or the
   * frame looks like the one `windowFrames + 1` before it (the flash ends here).
   */
  #isFlash(index: number, score: number): boolean {
    if (!this.#across) return false;
    const w = this.#o.windowFrames;
    const limit = this.#o.flashShare * score;
    const later = Math.min(index + w, this.#pushed - 1);
    if (later > index && this.#across(index - 1, later) < limit) return true;
    const earlier = Math.max(index - w - 1, 0);
    return earlier < index - 1 && this.#across(earlier, index) < limit;
  }
}

/** All cuts of a whole score sequence (frame indices), for callers that hold it. */
export function detectCuts(scores: readonly number[], options: Partial<CutDetectorOptions> = {}, differenceAcross?: DifferenceAcross): number[] {
  const detector = new AdaptiveCutDetector(options, differenceAcross);
  const cuts: number[] = [];
  for (const score of scores) cuts.push(...detector.push(score));
  return cuts;
}
