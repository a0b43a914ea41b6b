/**
 * Diagonal-covariance Gaussians kept as sufficient statistics (n, Σx, Σx²
 * per dimension), so a speaker's model is a sum of its blocks' statistics and
 * a block's log-likelihood needs no frames (re-segmentation, resegment.ts).
 * Diagonal, not full, covariance: a speaker with a few seconds of speech
 * cannot estimate a 38×38 covariance (741 parameters) without heavy
 * regularisation, and the diagonal form is what LIUM SpkDiarization's
 * Viterbi stage uses too.
 *
 * Pure maths, no I/O.
 */

export interface Stats {
  n: number;
  sum: Float64Array;
  sq: Float64Array;
}

export function emptyStats(dim: number): Stats {
  return { n: 0, sum: new Float64Array(dim), sq: new Float64Array(dim) };
}

export function addInto(target: Stats, s: Stats): void {
  target.n += s.n;
  for (let d = 0; d < target.sum.length; d++) {
    target.sum[d]! += s.sum[d]!;
    target.sq[d]! += s.sq[d]!;
  }
}

/**
 * Variances below this are raised to it. Features are normalised to unit
 * variance per recording, so this is 1 % of the recording's spread: it keeps
 * a near-constant dimension of a short segment from dominating log|Σ|.
 */
export const VARIANCE_FLOOR = 0.01;

/** A Gaussian's parameters, precomputed for scoring. */
export interface DiagModel {
  mean: Float64Array;
  invVar: Float64Array;
  /** −½ Σ_d log(2π σ²_d) */
  logNorm: number;
}

export function modelOf(s: Stats): DiagModel {
  const dim = s.sum.length;
  const mean = new Float64Array(dim);
  const invVar = new Float64Array(dim);
  let logNorm = 0;
  for (let d = 0; d < dim; d++) {
    mean[d] = s.sum[d]! / s.n;
    const v = Math.max(VARIANCE_FLOOR, s.sq[d]! / s.n - mean[d]! * mean[d]!);
    invVar[d] = 1 / v;
    logNorm -= 0.5 * Math.log(2 * Math.PI * v);
  }
  return { mean, invVar, logNorm };
}

/**
 * Σ_t log N(x_t; μ, Σ) over the frames summarised by s, exactly, from the
 * statistics alone: Σ_t (x−μ)² = Σx² − 2μΣx + nμ².
 */
export function logLikelihood(model: DiagModel, s: Stats): number {
  let quad = 0;
  for (let d = 0; d < model.mean.length; d++) {
    const mu = model.mean[d]!;
    quad += (s.sq[d]! - 2 * mu * s.sum[d]! + s.n * mu * mu) * model.invVar[d]!;
  }
  return s.n * model.logNorm - 0.5 * quad;
}
