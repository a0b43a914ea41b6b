import type { WaveformJson } from '@ecg/contracts';
import { xToTime, type TimeView } from './waveform-view.js';

/** Seconds of audio the waveform covers. */
export function waveformSeconds(wf: WaveformJson): number {
  return (pairCount(wf) * wf.samples_per_pixel) / wf.sample_rate;
}

/** Pairs actually present: a truncated `data` is drawn as far as it goes rather than read past its end. */
function pairCount(wf: WaveformJson): number {
  return Math.min(wf.length, Math.floor(wf.data.length / 2));
}

/**
 * One [min, max] per screen column of the view, scaled to -1..1 (8-bit
 * values divided by 128). A column that covers several waveform pixels takes
 * the lowest min and highest max among them, so short peaks stay visible when
 * zoomed out; a column outside the recording is NaN (nothing is drawn there).
 */
export function peaksForView(wf: WaveformJson, view: TimeView, columns: number): Float32Array {
  const out = new Float32Array(columns * 2).fill(Number.NaN);
  const n = pairCount(wf);
  const perSecond = wf.sample_rate / wf.samples_per_pixel;
  const scale = columns > 0 ? view.width / columns : 1;
  for (let c = 0; c < columns; c++) {
    const from = Math.floor(xToTime(view, c * scale) * perSecond);
    const to = Math.max(from + 1, Math.floor(xToTime(view, (c + 1) * scale) * perSecond));
    const lo = Math.max(0, from);
    const hi = Math.min(n, to);
    if (lo >= hi) continue;
    let min = 127;
    let max = -128;
    for (let i = lo; i < hi; i++) {
      const a = wf.data[2 * i]!;
      const b = wf.data[2 * i + 1]!;
      if (a < min) min = a;
      if (b > max) max = b;
    }
    out[2 * c] = min / 128;
    out[2 * c + 1] = max / 128;
  }
  return out;
}
