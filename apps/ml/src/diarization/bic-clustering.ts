/**
 * Speaker clusters from window embeddings (windows.ts), by BIC, following
 * the classical pipeline of LIUM SpkDiarization (Meignier & Merlin 2010):
 * linear clustering of neighbours first, then agglomerative clustering with
 * the BIC stopping rule, so the number of speakers comes out of the data.
 *
 * The clusters are Gaussians over the embeddings with one shared (tied)
 * within-speaker diagonal covariance W. Then the BIC difference between
 * keeping clusters i and j apart and merging them is
 *
 *   ΔBIC = ½ · nᵢnⱼ/(nᵢ+nⱼ) · Σ_d (μᵢ−μⱼ)²/W_d  −  λ · (d/2) · log(nᵢ+nⱼ)
 *
 * (the log-likelihood ratio of two means against one with W known, Ward's
 * criterion, against BIC's penalty for d more parameters; Chen &
 * Gopalakrishnan 1998 give the untied form, and local BIC, the pair's own
 * count, follows Tritschler & Gopinath 1999). λ = 1, BIC's own value. A
 * shared W is what makes this work on short windows: a per-cluster
 * covariance from a few windows is degenerate, and frame-level BIC over-splits
 * one voice because 10 ms frames are far from independent (measured here:
 * 4 "speakers" on jfk.wav). W is measured on the recording itself, from pairs of
 * non-overlapping neighbouring windows in one speech region (nearly always one
 * speaker), with the median so the few pairs across a change do not count
 * (median of χ²₁ = 0.455), which makes the criterion scale-free: distances
 * are in units of the recording's own within-voice spread.
 *
 * Pure: windows in, a cluster index per window out.
 */
import type { BlockStore } from './block-features.js';
import { EMBEDDING_DIM, type Windows } from './windows.js';

export const LAMBDA = 1;
const CHI2_1_MEDIAN = 0.4549;
const MIN_PAIRS = 10;

export interface CountOptions {
  numSpeakers?: number | undefined;
  minSpeakers?: number | undefined;
  maxSpeakers?: number | undefined;
}

/** Block index ranges [first, end) of each speech region, in order. */
export function regionRanges(store: BlockStore): { first: number; end: number }[] {
  const out: { first: number; end: number }[] = [];
  for (let i = 0; i < store.count; i++) {
    const last = out.at(-1);
    if (last && store.region[i] === store.region[last.first]) last.end = i + 1;
    else out.push({ first: i, end: i + 1 });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * W per dimension: robust within-voice variance of the embeddings, from
 * neighbouring windows of one speech region; with too few of those, from
 * all neighbouring windows (then changes between regions are more of the
 * pairs, which can only make W larger: fewer speakers, never a split voice);
 * with fewer still, the embeddings' total variance (larger again).
 */
export function withinVariance(w: Windows): Float64Array {
  const d = EMBEDDING_DIM;
  const pairs = (sameRegionOnly: boolean): number[][] => {
    const diffs: number[][] = Array.from({ length: d }, () => []);
    for (let i = 0; i + 1 < w.count; i++) {
      if (sameRegionOnly && w.region[i + 1] !== w.region[i]) continue;
      for (let c = 0; c < d; c++) diffs[c]!.push((w.embedding[i * d + c]! - w.embedding[(i + 1) * d + c]!) ** 2);
    }
    return diffs;
  };
  const out = new Float64Array(d);
  for (const sameRegionOnly of [false]) {
    const diffs = pairs(sameRegionOnly);
    if (diffs[0]!.length < MIN_PAIRS) continue;
    for (let c = 0; c < d; c++) out[c] = Math.max(1e-6, median(diffs[c]!) / (2 * CHI2_1_MEDIAN));
    return out;
  }
  for (let c = 0; c < d; c++) {
    let s = 0;
    let q = 0;
    for (let i = 0; i < w.count; i++) {
      s += w.embedding[i * d + c]!;
      q += w.embedding[i * d + c]! ** 2;
    }
    const mean = s / Math.max(1, w.count);
    out[c] = Math.max(1e-6, q / Math.max(1, w.count) - mean * mean);
  }
  return out;
}

export interface Cluster {
  n: number;
  mean: Float64Array;
}

/** ΔBIC of keeping a and b apart; `total` is the number of windows in the recording (the penalty's N). */
export function deltaBicTied(a: Cluster, b: Cluster, invW: Float64Array, total: number, lambda = LAMBDA): number {
  let dist = 0;
  for (let c = 0; c < invW.length; c++) dist += (a.mean[c]! - b.mean[c]!) ** 2 * invW[c]!;
  const n = a.n + b.n;
  return 0.5 * ((a.n * b.n) / n) * dist - lambda * (invW.length / 2) * Math.log(Math.max(n, total));
}

/**
 * The least difference between two voices the clustering tells apart: the
 * mean squared distance of their centroids, per dimension, in units of the
 * within-voice variance W (an effect size, so it is scale-free like the rest).
 * BIC alone splits one voice as a recording grows: its evidence term grows
 * with the clusters' sizes, so a speaker's slow drift (pitch and pace that
 * change with what is said) becomes "significant" after a few minutes
 * (measured: a 4-minute espeak-ng monologue with per-sentence pitch and
 * speed changes split into 3–4 speakers at D = 0.32, and still into 2 at
 * D = 0.65 with this floor at 0.5). Distinct voices measured here: two
 * espeak-ng men of one accent 0.71–0.92, other pairs 1.3–4.5. The floor is
 * 0.7, on the side of never splitting one voice (the issue's demand, and
 * the common case: talks, lectures, one presenter), at the price of two
 * very similar voices being taken for one (the en-us+m1 / en-gb+m4 pair at
 * 0.71 is: `npm run bench` prints it).
 */
export const MIN_VOICE_DISTANCE = 0.7;

/** Mean squared centroid distance per dimension, in W units. */
export function voiceDistance(a: Cluster, b: Cluster, invW: Float64Array): number {
  let dist = 0;
  for (let c = 0; c < invW.length; c++) dist += (a.mean[c]! - b.mean[c]!) ** 2 * invW[c]!;
  return dist / invW.length;
}

/** What merging costs: ΔBIC, made negative (merge) when the two are too close to be two voices. */
export function mergeCost(a: Cluster, b: Cluster, invW: Float64Array, total: number, lambda = LAMBDA): number {
  const bic = deltaBicTied(a, b, invW, total, lambda);
  const d = voiceDistance(a, b, invW);
  return d < MIN_VOICE_DISTANCE ? Math.min(bic, d - MIN_VOICE_DISTANCE) : bic;
}

function mergeInto(a: Cluster, b: Cluster): void {
  const n = a.n + b.n;
  for (let c = 0; c < a.mean.length; c++) a.mean[c] = (a.n * a.mean[c]! + b.n * b.mean[c]!) / n;
  a.n = n;
}

/**
 * Windows shorter than this many blocks (0.75 s) take no part in finding the
 * clusters: a quarter-second piece between two pauses is one or two
 * phonemes, whose cepstra say more about the sound than the voice (measured:
 * "And so", the first 0.23 s of jfk.wav, became a speaker of its own). They
 * join the nearest cluster afterwards, as pyannote treats its short segments.
 */
export const MIN_CLUSTERED_BLOCKS = 3;

/** Linear then agglomerative clustering of the windows; a cluster index per window, 0..K−1 in order of first window. */
export function clusterWindows(w: Windows, counts: CountOptions = {}, lambda = LAMBDA): Int32Array {
  const d = EMBEDDING_DIM;
  const out = new Int32Array(w.count);
  if (w.count === 0) return out;
  const invW = withinVariance(w).map((v) => 1 / v);
  const isLong = (i: number) => w.end[i]! - w.first[i]! >= MIN_CLUSTERED_BLOCKS;
  let longCount = 0;
  for (let i = 0; i < w.count; i++) if (isLong(i)) longCount++;
  // Too little long speech to leave the short pieces out (a few words): every window counts.
  const clustered = (i: number) => longCount < MIN_CLUSTER_WINDOWS || isLong(i);
  const embeddingOf = (i: number) => Float64Array.from(w.embedding.subarray(i * d, (i + 1) * d));
  // Linear clustering: a window joins its predecessor's cluster (same region) when BIC prefers one model.
  const clusters: Cluster[] = [];
  const member = new Int32Array(w.count).fill(-1);
  let previous = -1;
  for (let i = 0; i < w.count; i++) {
    if (!clustered(i)) continue;
    const single: Cluster = { n: 1, mean: embeddingOf(i) };
    const last = clusters.at(-1);
    if (last && previous >= 0 && w.region[i] === w.region[previous] && mergeCost(last, single, invW, longCount, lambda) < 0) mergeInto(last, single);
    else clusters.push(single);
    member[i] = clusters.length - 1;
    previous = i;
  }
  const groups = agglomerateBounded(clusters, invW, longCount, counts, lambda);
  const sub = new Int32Array(w.count);
  const subIndex: number[] = [];
  for (let i = 0; i < w.count; i++) {
    if (member[i]! < 0) continue;
    sub[subIndex.length] = groups[member[i]!]!;
    subIndex.push(i);
  }
  const subWindows: Windows = {
    count: subIndex.length,
    first: Int32Array.from(subIndex, (i) => w.first[i]!),
    end: Int32Array.from(subIndex, (i) => w.end[i]!),
    region: Int32Array.from(subIndex, (i) => w.region[i]!),
    embedding: Float64Array.from(subIndex.flatMap((i) => Array.from(w.embedding.subarray(i * d, (i + 1) * d)))),
  };
  const labels = absorbSmallClusters(subWindows, sub.subarray(0, subIndex.length), invW, counts);
  subIndex.forEach((i, k) => (out[i] = labels[k]!));
  // The short windows: the cluster whose mean is nearest in the within-voice metric.
  const k = Math.max(0, ...labels) + 1;
  const means: Cluster[] = Array.from({ length: k }, () => ({ n: 0, mean: new Float64Array(d) }));
  subIndex.forEach((i, j) => {
    const c = means[labels[j]!]!;
    c.n++;
    for (let q = 0; q < d; q++) c.mean[q]! += w.embedding[i * d + q]!;
  });
  for (const c of means) for (let q = 0; q < d; q++) c.mean[q]! /= Math.max(1, c.n);
  for (let i = 0; i < w.count; i++) {
    if (member[i]! >= 0) continue;
    const single: Cluster = { n: 1, mean: embeddingOf(i) };
    let best = 0;
    for (let c = 1; c < k; c++) if (deltaBicTied(single, means[c]!, invW, longCount) < deltaBicTied(single, means[best]!, invW, longCount)) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * Clusters of fewer than MIN_CLUSTER_WINDOWS windows, or of less than
 * MIN_CLUSTER_BLOCKS blocks of speech (3 s), join the nearest larger cluster
 * (smallest ΔBIC), as pyannote's clustering does with its min_cluster_size:
 * a couple of windows cannot tell a new voice from one speaker's odd moment
 * (measured: jfk.wav's 6 windows split 4 + 2 without this, and the first
 * second of three turns by two voices, "Almost." "Deal." "Just coffee.",
 * made a 2.5 s "speaker" of its own). Counts asked for win: numSpeakers and
 * minSpeakers are kept.
 */
export const MIN_CLUSTER_WINDOWS = 3;
export const MIN_CLUSTER_BLOCKS = 12;

function absorbSmallClusters(w: Windows, labels: Int32Array, invW: Float64Array, counts: CountOptions): Int32Array {
  const d = EMBEDDING_DIM;
  const k = Math.max(0, ...labels) + 1;
  const keep = counts.numSpeakers ?? counts.minSpeakers ?? 1;
  const clusters: Cluster[] = Array.from({ length: k }, () => ({ n: 0, mean: new Float64Array(d) }));
  const blocks = new Float64Array(k);
  for (let i = 0; i < w.count; i++) {
    const c = clusters[labels[i]!]!;
    c.n++;
    blocks[labels[i]!]! += w.end[i]! - w.first[i]!;
    for (let q = 0; q < d; q++) c.mean[q]! += w.embedding[i * d + q]!;
  }
  for (const c of clusters) for (let q = 0; q < d; q++) c.mean[q]! /= c.n;
  const isLarge = (i: number) => clusters[i]!.n >= MIN_CLUSTER_WINDOWS && blocks[i]! >= MIN_CLUSTER_BLOCKS;
  const large = clusters.map((c, i) => i).filter(isLarge);
  if (large.length === 0 || large.length < keep) return labels;
  const target = new Int32Array(k).map((_, i) => i);
  for (let i = 0; i < k; i++) {
    if (isLarge(i)) continue;
    let best = large[0]!;
    for (const j of large) if (deltaBicTied(clusters[i]!, clusters[j]!, invW, w.count) < deltaBicTied(clusters[i]!, clusters[best]!, invW, w.count)) best = j;
    target[i] = best;
  }
  const out = labels.map((l) => target[l]!);
  const renumber = new Map<number, number>();
  return out.map((l) => {
    if (!renumber.has(l)) renumber.set(l, renumber.size);
    return renumber.get(l)!;
  });
}

/**
 * Agglomerative clustering: merge the pair with the lowest ΔBIC while it is
 * negative, or to honour the counts (exactly numSpeakers; at most
 * maxSpeakers; never below minSpeakers). The group of each input, numbered
 * in order of first member. The pair matrix is n² doubles: about 8 MB for the
 * 1000 clusters linear clustering leaves from an hour of talk.
 */
export function agglomerate(input: Cluster[], invW: Float64Array, total: number, counts: CountOptions = {}, lambda = LAMBDA): Int32Array {
  const n = input.length;
  const min = counts.numSpeakers ?? counts.minSpeakers ?? 1;
  const max = counts.numSpeakers ?? counts.maxSpeakers ?? Infinity;
  const live = input.map((c) => ({ n: c.n, mean: Float64Array.from(c.mean) }));
  const alive = new Uint8Array(n).fill(1);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const dm = new Float64Array(n * n).fill(Infinity);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dm[i * n + j] = mergeCost(live[i]!, live[j]!, invW, total, lambda);
  // Each row's best partner, so a merge step scans n rows, not n² pairs.
  const rowBest = new Int32Array(n).fill(-1);
  const refresh = (i: number) => {
    let b = -1;
    for (let j = i + 1; j < n; j++) if (alive[j] && (b < 0 || dm[i * n + j]! < dm[i * n + b]!)) b = j;
    rowBest[i] = b;
  };
  for (let i = 0; i < n; i++) refresh(i);
  let k = n;
  while (k > min) {
    let bi = -1;
    for (let i = 0; i < n; i++) if (alive[i] && rowBest[i]! >= 0 && (bi < 0 || dm[i * n + rowBest[i]!]! < dm[bi * n + rowBest[bi]!]!)) bi = i;
    if (bi < 0) break;
    const bj = rowBest[bi]!;
    if (dm[bi * n + bj]! >= 0 && k <= max) break;
    mergeInto(live[bi]!, live[bj]!);
    alive[bj] = 0;
    parent[bj] = bi;
    k--;
    for (let q = 0; q < n; q++) {
      if (!alive[q] || q === bi) continue;
      const v = mergeCost(live[bi]!, live[q]!, invW, total, lambda);
      if (q < bi) dm[q * n + bi] = v;
      else dm[bi * n + q] = v;
    }
    for (let q = 0; q < n; q++) if (alive[q] && (q === bi || rowBest[q] === bi || rowBest[q] === bj || (q < bi && dm[q * n + bi]! < dm[q * n + rowBest[q]!]!))) refresh(q);
  }
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const number = new Map<number, number>();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = root(i);
    if (!number.has(r)) number.set(r, number.size);
    out[i] = number.get(r)!;
  }
  return out;
}

/**
 * The most clusters one agglomerative pass takes: its pair matrix is n²
 * doubles, 8 MB at 1000. Linear clustering leaves a few hundred clusters
 * per hour of talk, more when speech is cut at many pauses, and a 4-hour
 * upload (MAX_MEDIA_SECONDS) could leave thousands: 200 MB at 5000.
 */
export const MAX_AHC_CLUSTERS = 1000;

/**
 * agglomerate with memory bounded by MAX_AHC_CLUSTERS: past that, each run
 * of consecutive clusters is clustered alone first (BIC stopping, no counts:
 * a stretch of an hour's talk holds whoever speaks in it), and then the
 * clusters those runs leave are clustered together, with the counts. This
 * is the usual way classical diarizers handle long recordings (cluster
 * locally, then globally); a voice found in two runs meets itself in the
 * second pass.
 */
export function agglomerateBounded(input: Cluster[], invW: Float64Array, total: number, counts: CountOptions = {}, lambda = LAMBDA): Int32Array {
  if (input.length <= MAX_AHC_CLUSTERS) return agglomerate(input, invW, total, counts, lambda);
  const groupOf = new Int32Array(input.length);
  const pooled: Cluster[] = [];
  for (let start = 0; start < input.length; start += MAX_AHC_CLUSTERS) {
    const part = input.slice(start, start + MAX_AHC_CLUSTERS);
    // At most half as many as it came with, so every level shrinks and the recursion ends.
    const local = agglomerate(part, invW, total, { maxSpeakers: Math.max(1, Math.ceil(part.length / 2)) }, lambda);
    const base = pooled.length;
    const k = Math.max(0, ...local) + 1;
    for (let g = 0; g < k; g++) pooled.push({ n: 0, mean: new Float64Array(invW.length) });
    part.forEach((c, i) => {
      const into = pooled[base + local[i]!]!;
      if (into.n === 0) {
        into.n = c.n;
        into.mean.set(c.mean);
      } else mergeInto(into, { n: c.n, mean: c.mean });
      groupOf[start + i] = base + local[i]!;
    });
  }
  // The runs' clusters can still be too many (hours of talk by a crowd): the same again, one level up.
  const top = agglomerateBounded(pooled, invW, total, counts, lambda);
  return groupOf.map((g) => top[g]!);
}

/** Each block takes the label of the covering window whose centre is nearest. */
export function blockLabels(store: BlockStore, w: Windows, windowLabels: Int32Array): Int32Array {
  const labels = new Int32Array(store.count);
  const dist = new Float64Array(store.count).fill(Infinity);
  for (let i = 0; i < w.count; i++) {
    const centre = (w.first[i]! + w.end[i]!) / 2;
    for (let b = w.first[i]!; b < w.end[i]!; b++) {
      const d = Math.abs(b + 0.5 - centre);
      if (d < dist[b]!) {
        dist[b] = d;
        labels[b] = windowLabels[i]!;
      }
    }
  }
  return labels;
}
