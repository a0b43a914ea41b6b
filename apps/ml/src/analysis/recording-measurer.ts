import { DB_FLOOR, amplitudeToDb, rmsDbFromSum } from './loudness.js';
import { createPitchTracker, medianVoiced, type PitchTracker, type YinOptions } from './pitch-yin.js';
import type { PitchTrack } from './pitch-track.js';
import { WaveformAccumulator, type WaveformJson } from './waveform.js';

/** A word's measured span in samples, [start, end). */
export interface SampleSpan {
  start: number;
  end: number;
}

export interface WordMeasure {
  volumeDb: number;
  peakDb: number;
  pitchHz: number | null;
}

/**
 * Measures every word of a recording that arrives block by block, so memory
 * does not grow with the audio: per block, one buffer of the block plus its
 * low-passed half-rate copy; for the whole recording, 5 bytes per 10 ms (F0 track and which
 * frames a word needs) and 2 bytes per waveform pixel, i.e. about 2.5 MB per
 * hour, plus a few numbers per word.
 *
 * Blocks must be fed in order, start at multiples of `blockAlign` and not
 * overlap. A block of recording samples [first, first + n) is passed as a
 * buffer that also holds `context` samples before it and `overhang −
 * context` after it (zeros beyond the recording's ends), because a pitch
 * frame centred near the block's edge reads across it.
 */
export class RecordingMeasurer {
  readonly pitch: PitchTracker;
  /** Samples of context a block buffer holds before the block's first sample. */
  readonly context: number;
  /** Extra samples a block buffer holds beyond the block itself. */
  readonly overhang: number;
  readonly blockAlign: number;

  private readonly order: number[];
  private nextWord = 0;
  private active: number[] = [];
  private readonly sumSquares: Float64Array;
  private readonly peak: Float32Array;
  private readonly count: Float64Array;
  private readonly needed: Uint8Array;
  private readonly f0: Float32Array;
  private readonly waveform: WaveformAccumulator;

  constructor(
    readonly sampleRate: number,
    readonly totalSamples: number,
    private readonly spans: readonly SampleSpan[],
    yinOptions: Partial<YinOptions> = {},
    /** F0 measured already (pitch-track.ts): its frames are taken as they are, not measured again. */
    known?: PitchTrack,
  ) {
    this.pitch = createPitchTracker(sampleRate, yinOptions);
    this.context = this.pitch.reachBefore;
    this.overhang = this.pitch.reachBefore + this.pitch.reachAfter;
    this.waveform = new WaveformAccumulator(totalSamples, sampleRate);
    // Frames and waveform pixels line up when blocks start on a multiple of both (equal at 16 kHz: 160).
    this.blockAlign = lcm(this.pitch.hop, this.waveform.samplesPerPixel);
    const n = spans.length;
    this.sumSquares = new Float64Array(n);
    this.peak = new Float32Array(n);
    this.count = new Float64Array(n);
    this.order = [...spans.keys()].sort((a, b) => spans[a]!.start - spans[b]!.start);
    const hop = this.pitch.hop;
    const frames = Math.ceil(totalSamples / hop);
    this.needed = new Uint8Array(frames);
    this.f0 = new Float32Array(frames);
    // Pitch is only computed where a word will read it: silence between sentences costs nothing.
    for (const s of spans) {
      for (let k = Math.ceil(s.start / hop); k < frames && k * hop < s.end; k++) this.needed[k] = 1;
    }
    if (known) this.takeTrack(known);
  }

  /**
   * Takes the frames `known` has as they are, so they are not measured here:
   * only frames of blocks not added yet may be in it (the frames of blocks
   * already added are measured). A track measured with other settings, or on
   * another recording, is ignored: every frame is then measured here.
   */
  takeTrack(known: PitchTrack): void {
    const frames = this.f0.length;
    if (!matches(known, this.pitch, frames)) return;
    for (let k = 0; k < frames; k++) {
      if (this.needed[k] && known.computed[k]) {
        this.f0[k] = known.f0[k]!;
        this.needed[k] = 0;
      }
    }
  }

  /** Length of the buffer for a block of n samples. */
  bufferLength(n: number): number {
    return n + this.overhang;
  }

  /** Adds recording samples [first, first + n), held in buf[context, context + n). */
  addBlock(first: number, n: number, buf: Float32Array): void {
    const last = first + n;
    const ctx = this.context;
    this.waveform.add(first, buf, ctx, ctx + n);

    const hop = this.pitch.hop;
    const kEnd = Math.min(this.needed.length, Math.ceil(last / hop));
    // Runs of frames some word needs, so the low-pass copy is made only where pitch is read.
    for (let k = Math.ceil(first / hop); k < kEnd; ) {
      if (!this.needed[k]) {
        k++;
        continue;
      }
      let runEnd = k;
      while (runEnd < kEnd && this.needed[runEnd]) runEnd++;
      this.pitch.track(buf, first - ctx, k, runEnd, this.f0);
      k = runEnd;
    }

    while (this.nextWord < this.order.length && this.spans[this.order[this.nextWord]!]!.start < last) {
      this.active.push(this.order[this.nextWord]!);
      this.nextWord++;
    }
    const stillActive: number[] = [];
    for (const w of this.active) {
      const span = this.spans[w]!;
      const from = Math.max(first, span.start);
      const to = Math.min(last, span.end);
      let sum = 0;
      let peak = this.peak[w]!;
      for (let i = from - first + ctx, end = to - first + ctx; i < end; i++) {
        const v = buf[i]!;
        sum += v * v;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      if (to > from) {
        this.sumSquares[w]! += sum;
        this.count[w]! += to - from;
        this.peak[w] = peak;
      }
      if (span.end > last) stillActive.push(w);
    }
    this.active = stillActive;
  }

  words(): WordMeasure[] {
    const hop = this.pitch.hop;
    return this.spans.map((s, w) => {
      const count = this.count[w]!;
      if (count === 0) return { volumeDb: DB_FLOOR, peakDb: DB_FLOOR, pitchHz: null };
      const k0 = Math.ceil(s.start / hop);
      const k1 = Math.min(this.f0.length, Math.ceil(s.end / hop));
      const volumeDb = rmsDbFromSum(this.sumSquares[w]!, count);
      // A silent word has no pitch even if frames centred in it reach a loud neighbour (frames are 40 ms wide).
      const audible = volumeDb > this.pitch.options.silenceDb;
      return {
        volumeDb,
        peakDb: amplitudeToDb(this.peak[w]!),
        pitchHz: audible && k1 > k0 ? medianVoiced(this.f0.subarray(k0, k1)) : null,
      };
    });
  }

  waveformJson(): WaveformJson {
    return this.waveform.toJson();
  }
}

/** Whether a pitch track was measured on this recording's frames with this tracker's settings. */
function matches(track: PitchTrack, pitch: PitchTracker, frames: number): boolean {
  if (track.sampleRate !== pitch.sampleRate || track.hop !== pitch.hop || track.f0.length !== frames || track.computed.length !== frames) return false;
  const mine = pitch.options as unknown as Record<string, unknown>;
  const theirs = track.options as unknown as Record<string, unknown>;
  return Object.keys(mine).every((key) => mine[key] === theirs[key]);
}

function lcm(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
}
