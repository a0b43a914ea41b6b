import { MAX_CAPTION_SECONDS, type CaptionProfile } from '@ecg/contracts';

/*
 * When each caption shows, once the words are cut into captions. All times
 * are whole milliseconds, so that what is checked is what an SRT file says.
 *
 * Figures (see profiles.ts for the page list):
 * - LINGER_MS, 12 frames at 24 fps: [NF-TIME] "The out-time can be extended
 *   up to 12 frames past the timecode at which the audio ends".
 * - CHAIN_MS, half a second: [NF-TIME] bump the out-time "to two frames
 *   before the in-time of the new subtitle where any gaps of 12 frames or
 *   fewer exist" ("chaining"); the guide is written for 24 fps, "where half a
 *   second is 12 frames", and scales to half a second at other rates.
 * - SNAP_MS, half a second: [NF-GEN]/[NF-TIME] in- and out-times within 12
 *   frames of a shot change move to it; out-times "2 frames before" it.
 * - RED_ZONE_MS, 7 frames at 24 fps: [NF-GEN] "If dialogue starts 7 frames
 *   or less (red zone) before the shot change, the in-time should be moved to
 *   the shot change"; between 8 and 11 frames (green zone) it "should be
 *   moved up to 12 frames before the shot change".
 * - MAX_HANG_MS, 1.5 s: [BBC] 5.2 subtitles should not "hang up on the screen
 *   for more than 1.5 seconds after speech has stopped": the reading-speed
 *   extension stops there.
 */
export const LINGER_MS = 500;
export const CHAIN_MS = 500;
export const SNAP_MS = 500;
export const RED_ZONE_MS = Math.round((7 / 24) * 1000);
export const MAX_HANG_MS = 1500;

/**
 * Frames per second when the video's rate is unknown: 24, the rate the
 * Netflix timing guide is written for, and the slowest common rate, so that a
 * 2-frame gap at 24 fps is at least 2 frames at 25, 30, 50 or 60 fps too.
 */
export const DEFAULT_FPS = 24;

/** The contract's latest caption time, ms: nothing is pushed past it, whatever the input. */
const LATEST_MS = MAX_CAPTION_SECONDS * 1000;

/** The profile's figures in milliseconds, for one frame rate. */
export interface TimingRules {
  frameMs: number;
  minGapMs: number;
  minDurationMs: number;
  maxDurationMs: number;
  maxCharsPerSecond: number;
}

export function saneFps(fps: number | undefined): number {
  return fps !== undefined && Number.isFinite(fps) && fps >= 1 && fps <= 1000 ? fps : DEFAULT_FPS;
}

export function timingRules(profile: CaptionProfile, fps?: number): TimingRules {
  const frameMs = 1000 / saneFps(fps);
  return {
    frameMs,
    // Rounded up, so a gap written to the millisecond still spans the frames.
    minGapMs: Math.ceil(profile.min_gap_frames * frameMs),
    minDurationMs: Math.ceil(profile.min_duration * 1000),
    maxDurationMs: Math.floor(profile.max_duration * 1000),
    maxCharsPerSecond: profile.max_chars_per_second,
  };
}

/** A caption before timing: where its speech starts and ends (ms), and how many characters it shows. */
export interface SpeechSpan {
  start: number;
  speechEnd: number;
  chars: number;
}

/**
 * Where a caption wants to end with unlimited free time after it: the speech
 * end plus the linger, at least the minimum duration, and as long as reading
 * speed needs but no more than MAX_HANG_MS after the speech. Capped at the
 * maximum duration.
 */
export function wantedEnd(start: number, speechEnd: number, chars: number, rules: TimingRules): number {
  const reading = start + Math.ceil((chars / rules.maxCharsPerSecond) * 1000);
  const wanted = Math.max(speechEnd + LINGER_MS, start + rules.minDurationMs, Math.min(reading, speechEnd + MAX_HANG_MS));
  return Math.min(wanted, start + rules.maxDurationMs);
}

/** Index of the first value ≥ x in an ascending array. */
export function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The shot change nearest to t within `window` (exclusive), the earlier on a tie; undefined if none. */
function nearestShot(shots: readonly number[], t: number, window: number): number | undefined {
  const k = lowerBound(shots, t);
  const after = shots[k];
  const before = shots[k - 1];
  const dAfter = after === undefined ? Infinity : after - t;
  const dBefore = before === undefined ? Infinity : t - before;
  if (dBefore <= dAfter) return dBefore < window ? before : undefined;
  return dAfter < window ? after : undefined;
}

/**
 * Start and end (ms) of each caption. What holds afterwards, whatever the
 * input: starts ascend, every caption lasts at least a frame and at most the
 * maximum duration, and the gap to the next caption is at least the minimum
 * gap. The minimum duration holds wherever the next caption leaves room.
 * (Only at the contract's latest time, 115 days in, do captions squeeze
 * into zero length rather than pass it.)
 * `shots` are shot-change times (ms), ascending.
 */
export function timeCaptions(spans: readonly SpeechSpan[], rules: TimingRules, shots: readonly number[]): Array<{ start: number; end: number }> {
  const { minGapMs, frameMs } = rules;
  // The next start must leave room for this caption's gap and at least one frame of it.
  const spacing = Math.ceil(minGapMs + frameMs);

  const starts: number[] = [];
  spans.forEach((span, k) => {
    let start = span.start;
    const shot = nearestShot(shots, start, SNAP_MS);
    if (shot !== undefined) {
      let snapped = shot;
      // Dialogue starting shortly before a cut: in the red zone the caption waits for
      // the cut (if speech is still running then); in the green zone it starts 12 frames before.
      if (shot > start) snapped = shot - start <= RED_ZONE_MS && shot < span.speechEnd ? shot : shot - SNAP_MS;
      // Moving earlier must not cover the previous caption's speech.
      const previousSpeech = k > 0 ? spans[k - 1]!.speechEnd + minGapMs : 0;
      if (snapped >= start || snapped >= previousSpeech) start = Math.max(0, snapped);
    }
    if (k > 0) start = Math.max(start, starts[k - 1]! + spacing);
    starts.push(Math.min(start, LATEST_MS));
  });

  return spans.map((span, k) => {
    const start = starts[k]!;
    const speechEnd = Math.max(span.speechEnd, start);
    const nextStart = starts[k + 1];
    const limit = nextStart === undefined ? Infinity : nextStart - minGapMs;
    const latest = Math.max(start, Math.min(start + rules.maxDurationMs, limit, LATEST_MS));
    let end = Math.min(wantedEnd(start, speechEnd, span.chars, rules), latest);

    // Chaining: a gap too short to read as a pause is closed to the minimum gap.
    if (nextStart !== undefined && nextStart - end <= CHAIN_MS && limit <= start + rules.maxDurationMs) end = limit;

    const shot = nearestShot(shots, end, SNAP_MS);
    if (shot !== undefined && shot > start) {
      const target = shot - minGapMs;
      if (end < target) {
        if (target <= latest) end = target;
      } else if (end > target) {
        if (speechEnd <= shot) {
          // Speech is over by the cut: end 2 frames before it rather than flash into the next shot.
          if (target - start >= rules.minDurationMs) end = target;
        } else if (shot + SNAP_MS <= latest) {
          // Speech runs over the cut: stay at least half a second into the new shot.
          end = Math.max(end, shot + SNAP_MS);
        }
      }
    }
    end = Math.min(Math.max(end, start + 1), latest);
    return { start, end };
  });
}
