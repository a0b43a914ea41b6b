/**
 * Diarization error rate in the standard NIST form (md-eval, as used by the
 * RT and DIHARD evaluations and by pyannote.metrics):
 *
 *   DER = (missed speech + false alarm + speaker confusion) / scored speech
 *
 * - A no-score collar of `collar` seconds (0.25 s by default, the NIST RT
 *   value) is laid on each side of every reference turn boundary: nothing in
 *   it counts, hypothesis or reference.
 * - Where two or more reference speakers talk at once, nothing counts either
 *   (`skipOverlap`, default true, md-eval's `-1` mode as in most published
 *   figures); with skipOverlap false, overlap is scored per speaker.
 * - Hypothesis speakers are mapped one-to-one onto reference speakers so that
 *   the mapped overlap is the largest possible (md-eval's optimal mapping),
 *   found with the Hungarian algorithm (Kuhn 1955; Munkres 1957), so any
 *   number of speakers is exact, not a greedy guess.
 *
 * Times are in seconds. Pure: no I/O.
 */

export interface SpeakerTurnLike {
  start: number;
  end: number;
  speaker: string;
}

export interface DerOptions {
  /** Seconds on each side of every reference boundary left unscored. */
  collar?: number;
  /** Leave out times where more than one reference speaker talks. */
  skipOverlap?: boolean;
}

export interface DerResult {
  /** (missed + falseAlarm + confusion) / scored; 0 when nothing is scored and nothing was found, Infinity when only false alarms are scored. */
  der: number;
  /** Seconds of reference speech with too few hypothesis speakers. */
  missed: number;
  /** Seconds of hypothesis speech beyond the reference speakers present. */
  falseAlarm: number;
  /** Seconds of speech given to the wrong (mapped) speaker. */
  confusion: number;
  /** Seconds of reference speech scored (speaker-weighted). */
  scored: number;
  /** Each hypothesis speaker's reference speaker under the optimal mapping (unmapped ones are absent). */
  mapping: Record<string, string>;
}

interface Interval {
  start: number;
  end: number;
}

/** Sorted, non-overlapping union of intervals. */
function union(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

function inside(t: number, zones: Interval[]): boolean {
  // Zones are few per minute; a binary search keeps long files linear-logarithmic.
  let lo = 0;
  let hi = zones.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const z = zones[mid]!;
    if (t < z.start) hi = mid - 1;
    else if (t >= z.end) lo = mid + 1;
    else return true;
  }
  return false;
}

function speakersAt(t: number, turns: SpeakerTurnLike[]): Set<string> {
  const s = new Set<string>();
  for (const turn of turns) if (turn.start <= t && t < turn.end) s.add(turn.speaker);
  return s;
}

/**
 * Elementary intervals between consecutive boundaries of either side: within
 * each, the sets of reference and hypothesis speakers are constant.
 */
function elementary(reference: SpeakerTurnLike[], hypothesis: SpeakerTurnLike[], extra: number[]): Interval[] {
  const points = new Set<number>(extra);
  for (const t of [...reference, ...hypothesis]) {
    points.add(t.start);
    points.add(t.end);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const out: Interval[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) if (sorted[i + 1]! > sorted[i]!) out.push({ start: sorted[i]!, end: sorted[i + 1]! });
  return out;
}

/**
 * Hungarian algorithm (shortest augmenting paths with potentials, O(n²m)) on
 * a rows × cols cost matrix with rows ≤ cols: the column of each row in a
 * minimum-cost assignment.
 */
export function minCostAssignment(cost: number[][]): number[] {
  const n = cost.length;
  if (n === 0) return [];
  const m = cost[0]!.length;
  if (m < n) throw new Error('minCostAssignment needs rows <= columns');
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(m + 1).fill(0);
  const p = new Array<number>(m + 1).fill(0); // p[j]: row (1-based) assigned to column j
  const way = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(m + 1).fill(Infinity);
    const used = new Array<boolean>(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) rowToCol[p[j]! - 1] = j - 1;
  return rowToCol;
}

/** The one-to-one mapping hypothesis → reference speaker with the most overlap in total. */
function optimalMapping(hypSpeakers: string[], refSpeakers: string[], overlap: Map<string, number>): Record<string, string> {
  const mapping: Record<string, string> = {};
  if (hypSpeakers.length === 0 || refSpeakers.length === 0) return mapping;
  // Rows must be the smaller side; padding is unnecessary with a rectangular Hungarian.
  const hypRows = hypSpeakers.length <= refSpeakers.length;
  const rows = hypRows ? hypSpeakers : refSpeakers;
  const cols = hypRows ? refSpeakers : hypSpeakers;
  const cost = rows.map((r) => cols.map((c) => -(overlap.get(hypRows ? `${r}\0${c}` : `${c}\0${r}`) ?? 0)));
  minCostAssignment(cost).forEach((j, i) => {
    const r = rows[i]!;
    const c = cols[j]!;
    const [h, ref] = hypRows ? [r, c] : [c, r];
    if ((overlap.get(`${h}\0${ref}`) ?? 0) > 0) mapping[h] = ref;
  });
  return mapping;
}

export function diarizationErrorRate(reference: SpeakerTurnLike[], hypothesis: SpeakerTurnLike[], options: DerOptions = {}): DerResult {
  const collar = options.collar ?? 0.25;
  const skipOverlap = options.skipOverlap ?? true;
  const ref = reference.filter((t) => t.end > t.start);
  const hyp = hypothesis.filter((t) => t.end > t.start);

  const noScore: Interval[] = [];
  if (collar > 0) for (const t of ref) noScore.push({ start: t.start - collar, end: t.start + collar }, { start: t.end - collar, end: t.end + collar });
  const collars = union(noScore);
  const pieces = elementary(ref, hyp, collars.flatMap((z) => [z.start, z.end]));

  // One pass to find what is scored and the overlap of every speaker pair there.
  const scoredPieces: { dur: number; refs: Set<string>; hyps: Set<string> }[] = [];
  const overlap = new Map<string, number>();
  for (const piece of pieces) {
    const mid = (piece.start + piece.end) / 2;
    if (inside(mid, collars)) continue;
    const refs = speakersAt(mid, ref);
    if (skipOverlap && refs.size > 1) continue;
    const hyps = speakersAt(mid, hyp);
    if (refs.size === 0 && hyps.size === 0) continue;
    const dur = piece.end - piece.start;
    scoredPieces.push({ dur, refs, hyps });
    for (const h of hyps) for (const r of refs) overlap.set(`${h}\0${r}`, (overlap.get(`${h}\0${r}`) ?? 0) + dur);
  }
  const mapping = optimalMapping(
    [...new Set(hyp.map((t) => t.speaker))],
    [...new Set(ref.map((t) => t.speaker))],
    overlap,
  );

  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let scored = 0;
  for (const { dur, refs, hyps } of scoredPieces) {
    let correct = 0;
    for (const h of hyps) if (mapping[h] !== undefined && refs.has(mapping[h])) correct++;
    scored += refs.size * dur;
    missed += Math.max(0, refs.size - hyps.size) * dur;
    falseAlarm += Math.max(0, hyps.size - refs.size) * dur;
    confusion += (Math.min(refs.size, hyps.size) - correct) * dur;
  }
  const errors = missed + falseAlarm + confusion;
  const der = scored > 0 ? errors / scored : errors > 0 ? Infinity : 0;
  return { der, missed, falseAlarm, confusion, scored, mapping };
}
