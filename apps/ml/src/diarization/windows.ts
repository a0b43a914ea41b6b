/**
 * Windows and their embeddings: back-to-back 1.5 s windows inside each speech
 * region (never across a region's edge; a region shorter than a window is
 * one window, a tail under 0.75 s joins the window before it). They do not
 * overlap on purpose: the clustering's BIC counts windows as independent
 * samples, and half-overlapping windows would count each frame twice
 * (measured: with a 0.75 s hop, jfk.wav split in two). Each window is summarised by the mean of its frames' normalised
 * cepstra c1–c19 and the log of their standard deviations (the "MFCC
 * statistics" embedding: a voice's long-term spectral envelope and its
 * spread, Reynolds 1995; the classical speaker feature before i-vectors),
 * and the mean log F0 of its voiced frames (YIN): the pitch level, the cue
 * the cepstra carry least and listeners use most (prosodic features in
 * speaker recognition: Shriberg 2007; Adami et al. 2003).
 * Pure: built from the blocks' statistics.
 */
import { CEPSTRA, DIM, type BlockStore } from './block-features.js';
import { regionRanges } from './bic-clustering.js';
import { emptyStats } from './gaussian.js';

export const WINDOW_BLOCKS = 6; // 1.5 s
const MIN_TAIL_BLOCKS = 3; // 0.75 s
/** Mean and log-spread of c1–c19, then the voice's pitch level (mean log F0 of its voiced frames). */
export const EMBEDDING_DIM = 2 * CEPSTRA + 1;
const PITCH = 2 * CEPSTRA;
/** Voiced 10 ms frames a window needs for its own pitch level: 0.2 s; with fewer it takes the recording's. */
const MIN_VOICED_FRAMES = 20;

export interface Windows {
  count: number;
  /** Blocks [first, end) of each window. */
  first: Int32Array;
  end: Int32Array;
  /** Region index of each window. */
  region: Int32Array;
  /** count × EMBEDDING_DIM */
  embedding: Float64Array;
}

export function makeWindows(store: BlockStore): Windows {
  const spans: { first: number; end: number; region: number }[] = [];
  for (const { first, end } of regionRanges(store)) {
    const region = store.region[first]!;
    const before = spans.length;
    for (let s = first; s < end; s += WINDOW_BLOCKS) {
      const e = Math.min(end, s + WINDOW_BLOCKS);
      if (e - s < MIN_TAIL_BLOCKS && spans.length > before) spans.at(-1)!.end = e;
      else spans.push({ first: s, end: e, region });
    }
  }
  const count = spans.length;
  const w: Windows = {
    count,
    first: Int32Array.from(spans, (x) => x.first),
    end: Int32Array.from(spans, (x) => x.end),
    region: Int32Array.from(spans, (x) => x.region),
    embedding: new Float64Array(count * EMBEDDING_DIM),
  };
  const s = emptyStats(DIM);
  let allVoiced = 0;
  let allLogF0 = 0;
  for (let b = 0; b < store.count; b++) {
    allVoiced += store.voiced[b]!;
    allLogF0 += store.logF0[b]!;
  }
  const recordingPitch = allVoiced > 0 ? allLogF0 / allVoiced : 0;
  spans.forEach((span, i) => {
    s.n = 0;
    s.sum.fill(0);
    s.sq.fill(0);
    let voiced = 0;
    let logF0 = 0;
    for (let b = span.first; b < span.end; b++) {
      store.addTo(s, b);
      voiced += store.voiced[b]!;
      logF0 += store.logF0[b]!;
    }
    w.embedding[i * EMBEDDING_DIM + PITCH] = voiced >= MIN_VOICED_FRAMES ? logF0 / voiced : recordingPitch;
    for (let c = 0; c < CEPSTRA; c++) {
      const mean = s.sum[c]! / s.n;
      const variance = Math.max(1e-4, s.sq[c]! / s.n - mean * mean);
      w.embedding[i * EMBEDDING_DIM + c] = mean;
      w.embedding[i * EMBEDDING_DIM + CEPSTRA + c] = 0.5 * Math.log(variance);
    }
  });
  return w;
}
