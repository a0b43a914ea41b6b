/**
 * Loudness of a span of samples, in dBFS.
 *
 * Convention (AES17): RMS level is 20·log10(rms) + 3.01 dB, so a sine whose
 * peak amplitude is A reads 20·log10(A), the same number as its peak. "A sine
 * at -12 dBFS" therefore means peak amplitude 10^(-12/20) and it reads -12 dB
 * both as `volume_db` and as `peak_db`; a full-scale square wave reads +3.01.
 * We chose AES17 over plain 20·log10(rms) so that caption editors comparing
 * a word's level with its peak see one scale, and so that a test tone's level
 * is the number people write on it.
 *
 * Silence has no logarithm: every level is clamped at DB_FLOOR so results
 * stay finite (JSON cannot carry -Infinity or NaN).
 */

/** The lowest level reported; below 16-bit quantisation noise (-98 dBFS AES17), so it only ever means "silent". */
export const DB_FLOOR = -100;

/** 20·log10(√2): lifts plain RMS to the AES17 scale (a sine's RMS is its peak / √2). */
export const AES17_OFFSET_DB = 20 * Math.log10(Math.SQRT2);

/** 20·log10(amplitude), clamped at DB_FLOOR (0 and negative input included). */
export function amplitudeToDb(amplitude: number): number {
  if (!(amplitude > 0)) return DB_FLOOR;
  return Math.max(DB_FLOOR, 20 * Math.log10(amplitude));
}

/** AES17 RMS level from accumulated sums, for callers that gather a span block by block. */
export function rmsDbFromSum(sumOfSquares: number, count: number): number {
  if (count <= 0 || !(sumOfSquares > 0)) return DB_FLOOR;
  return Math.max(DB_FLOOR, 10 * Math.log10(sumOfSquares / count) + AES17_OFFSET_DB);
}

function clampSpan(length: number, start: number, end: number): [number, number] {
  const s = Math.max(0, Math.min(length, Math.floor(start)));
  const e = Math.max(s, Math.min(length, Math.ceil(end)));
  return [s, e];
}

/** RMS level (AES17 dBFS) of samples[start, end); an empty span is DB_FLOOR. */
export function rmsDb(samples: Float32Array, start = 0, end = samples.length): number {
  const [s, e] = clampSpan(samples.length, start, end);
  let sum = 0;
  for (let i = s; i < e; i++) {
    const v = samples[i]!;
    sum += v * v;
  }
  return rmsDbFromSum(sum, e - s);
}

/** Sample peak, 20·log10(max |x|), of samples[start, end); an empty span is DB_FLOOR. */
export function peakDb(samples: Float32Array, start = 0, end = samples.length): number {
  const [s, e] = clampSpan(samples.length, start, end);
  let peak = 0;
  for (let i = s; i < e; i++) {
    const v = Math.abs(samples[i]!);
    if (v > peak) peak = v;
  }
  return amplitudeToDb(peak);
}
