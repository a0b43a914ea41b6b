/**
 * A waveform overview the web app can draw without downloading the audio.
 *
 * The JSON follows BBC audiowaveform's format (version 2), so existing players
 * such as peaks.js read it as is:
 *
 *   { version: 2, channels: 1, sample_rate: 16000, samples_per_pixel: 160,
 *     bits: 8, length: <pixels>, data: [min0, max0, min1, max1, ...] }
 *
 * One pixel summarises `samples_per_pixel` consecutive samples (1/100 s, so
 * `length` = ceil(duration · 100)) by its lowest and highest sample; the last
 * pixel may cover fewer samples. Values are 8-bit signed (-128..127), obtained
 * as audiowaveform does from 16-bit audio: the sample's top byte, i.e.
 * floor(x · 128) for x in [-1, 1), so full-scale 16-bit audio reaches exactly
 * -128 and 127. 8 bits rather than 16 because a bar on a screen has fewer than
 * 256 distinguishable heights and the JSON is half the size (4 h ≈ 10 MB).
 */

export const PIXELS_PER_SECOND = 100;

export interface WaveformJson {
  version: 2;
  channels: 1;
  sample_rate: number;
  samples_per_pixel: number;
  bits: 8;
  length: number;
  data: number[];
}

const quantise = (x: number): number => Math.max(-128, Math.min(127, Math.floor(x * 128)));

/**
 * Builds the summary from blocks in any order and of any size, so a recording
 * can be summarised without holding it in memory (memory: 2 bytes per pixel).
 */
export class WaveformAccumulator {
  readonly samplesPerPixel: number;
  readonly length: number;
  private readonly mins: Int8Array;
  private readonly maxs: Int8Array;

  constructor(
    readonly totalSamples: number,
    readonly sampleRate: number,
  ) {
    this.samplesPerPixel = Math.max(1, Math.round(sampleRate / PIXELS_PER_SECOND));
    this.length = Math.ceil(totalSamples / this.samplesPerPixel);
    this.mins = new Int8Array(this.length).fill(127);
    this.maxs = new Int8Array(this.length).fill(-128);
  }

  /** Adds samples[from, to), which are the recording's samples firstSample, firstSample+1, ... */
  add(firstSample: number, samples: Float32Array, from = 0, to = samples.length): void {
    const spp = this.samplesPerPixel;
    let i = from;
    while (i < to) {
      const index = firstSample + (i - from);
      if (index >= this.totalSamples) break;
      const pixel = Math.floor(index / spp);
      const stop = Math.min(to, i + ((pixel + 1) * spp - index));
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = i; j < stop; j++) {
        const v = samples[j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const qlo = quantise(lo);
      const qhi = quantise(hi);
      if (qlo < this.mins[pixel]!) this.mins[pixel] = qlo;
      if (qhi > this.maxs[pixel]!) this.maxs[pixel] = qhi;
      i = stop;
    }
  }

  toJson(): WaveformJson {
    const data = new Array<number>(this.length * 2);
    for (let p = 0; p < this.length; p++) {
      // A pixel no block reached (only if a caller skipped samples) draws as silence, not as an inverted bar.
      const touched = this.mins[p]! <= this.maxs[p]!;
      data[2 * p] = touched ? this.mins[p]! : 0;
      data[2 * p + 1] = touched ? this.maxs[p]! : 0;
    }
    return {
      version: 2,
      channels: 1,
      sample_rate: this.sampleRate,
      samples_per_pixel: this.samplesPerPixel,
      bits: 8,
      length: this.length,
      data,
    };
  }
}

/** The summary of a whole in-memory recording. */
export function waveformSummary(samples: Float32Array, sampleRate: number): WaveformJson {
  const acc = new WaveformAccumulator(samples.length, sampleRate);
  acc.add(0, samples);
  return acc.toJson();
}
