/**
 * Re-segmentation: with one Gaussian per cluster, a Viterbi pass over the
 * blocks in time order finds the best speaker sequence given a fixed cost
 * for changing speaker inside a speech region (changes across a silence are
 * free), then the models are re-estimated from the new labels and the pass
 * repeated (LIUM's Viterbi re-segmentation, Meignier & Merlin 2010; the
 * switch penalty plays the role of its HMM's transition probability). This
 * moves boundaries to where the voices change and absorbs short flickers.
 *
 * Then islands are removed: a run shorter than 0.5 s inside a region, with
 * another speaker on a side within the same region, goes to the neighbour
 * whose model explains it better. A whole region is never an island: a short
 * answer between two silences ("Yes.") keeps its own speaker.
 *
 * Pure. Cost: log-likelihoods are computed from the blocks' statistics, and
 * the back-pointers take one byte per block and cluster.
 */
import type { BlockStore } from './block-features.js';
import { DIM } from './block-features.js';
import { emptyStats, logLikelihood, modelOf, type DiagModel, type Stats } from './gaussian.js';

/**
 * Nats to change speaker between two blocks of one region. Measured: the
 * log-likelihood of a 0.25 s block under the right voice beats a wrong one by
 * 100–400 nats on the synthetic conversations, and one change costs less
 * than a block's margin, so real changes survive while one odd block does not
 * pull a speaker in and out.
 */
export const SWITCH_PENALTY = 60;
export const ITERATIONS = 3;
export const MIN_ISLAND_FRAMES = 50; // 0.5 s

export function clusterModels(store: BlockStore, labels: Int32Array, k: number): (DiagModel | null)[] {
  const stats: Stats[] = Array.from({ length: k }, () => emptyStats(DIM));
  for (let i = 0; i < store.count; i++) store.addTo(stats[labels[i]!]!, i);
  // A cluster with under half a second of frames gives no usable variance.
  return stats.map((s) => (s.n >= 50 ? modelOf(s) : null));
}

function blockScores(store: BlockStore, models: (DiagModel | null)[]): Float64Array {
  const k = models.length;
  const scores = new Float64Array(store.count * k);
  for (let i = 0; i < store.count; i++) {
    const s = store.stats(i);
    for (let c = 0; c < k; c++) scores[i * k + c] = models[c] ? logLikelihood(models[c]!, s) : -Infinity;
  }
  return scores;
}

/** One Viterbi pass; returns the new label of every block. */
export function viterbi(store: BlockStore, models: (DiagModel | null)[], penalty = SWITCH_PENALTY): Int32Array {
  const k = models.length;
  const n = store.count;
  const labels = new Int32Array(n);
  if (n === 0 || k === 0) return labels;
  const scores = blockScores(store, models);
  const back = new Uint8Array(n * k);
  let prev = new Float64Array(k);
  let cur = new Float64Array(k);
  for (let c = 0; c < k; c++) prev[c] = scores[c]!;
  for (let i = 1; i < n; i++) {
    const sameRegion = store.region[i] === store.region[i - 1];
    const cost = sameRegion ? penalty : 0;
    let bestPrev = 0;
    for (let c = 1; c < k; c++) if (prev[c]! > prev[bestPrev]!) bestPrev = c;
    for (let c = 0; c < k; c++) {
      const stay = prev[c]!;
      const move = prev[bestPrev]! - cost;
      const from = stay >= move ? c : bestPrev;
      cur[c] = Math.max(stay, move) + scores[i * k + c]!;
      back[i * k + c] = from;
    }
    [prev, cur] = [cur, prev];
  }
  let c = 0;
  for (let q = 1; q < k; q++) if (prev[q]! > prev[c]!) c = q;
  for (let i = n - 1; i >= 0; i--) {
    labels[i] = c;
    c = back[i * k + c]!;
  }
  return labels;
}

/** Renumbers labels 0..K−1 in order of first use; returns K. */
export function compact(labels: Int32Array): number {
  const map = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    if (!map.has(labels[i]!)) map.set(labels[i]!, map.size);
    labels[i] = map.get(labels[i]!)!;
  }
  return map.size;
}

/** ITERATIONS rounds of Viterbi and re-estimation, then island removal. Labels are renumbered in place order. */
export function resegment(store: BlockStore, initial: Int32Array, penalty = SWITCH_PENALTY): Int32Array {
  let labels: Int32Array = Int32Array.from(initial);
  let k = compact(labels);
  if (k > 255) throw new Error('resegment supports at most 255 clusters');
  for (let it = 0; it < ITERATIONS && k > 1; it++) {
    const models = clusterModels(store, labels, k);
    const next = viterbi(store, models, penalty);
    const changed = next.some((v, i) => v !== labels[i]);
    labels = next;
    k = compact(labels);
    if (!changed) break;
  }
  removeIslands(store, labels, k);
  compact(labels);
  return labels;
}

/** Gives runs under MIN_ISLAND_FRAMES with a different speaker beside them in their region to the likelier neighbour. */
export function removeIslands(store: BlockStore, labels: Int32Array, k: number): void {
  if (k < 2) return;
  const models = clusterModels(store, labels, k);
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    let i = 0;
    while (i < store.count) {
      let j = i;
      while (j + 1 < store.count && labels[j + 1] === labels[i] && store.region[j + 1] === store.region[i]) j++;
      const frames = store.endFrame[j]! - store.startFrame[i]!;
      const before = i > 0 && store.region[i - 1] === store.region[i] ? labels[i - 1]! : -1;
      const after = j + 1 < store.count && store.region[j + 1] === store.region[i] ? labels[j + 1]! : -1;
      if (frames < MIN_ISLAND_FRAMES && (before >= 0 || after >= 0)) {
        const run = emptyStats(DIM);
        for (let q = i; q <= j; q++) store.addTo(run, q);
        const score = (c: number) => (c >= 0 && models[c] ? logLikelihood(models[c]!, run) : -Infinity);
        const to = score(before) >= score(after) ? (before >= 0 ? before : after) : after;
        if (to >= 0 && to !== labels[i]) {
          labels.fill(to, i, j + 1);
          changed = true;
        }
      }
      i = j + 1;
    }
    if (!changed) break;
  }
}
