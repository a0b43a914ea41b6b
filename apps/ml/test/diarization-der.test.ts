import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diarizationErrorRate, minCostAssignment, type SpeakerTurnLike } from '../src/diarization/der.js';

const t = (start: number, end: number, speaker: string): SpeakerTurnLike => ({ start, end, speaker });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

const REF = [t(0, 10, 'A'), t(10, 20, 'B'), t(22, 30, 'A')];

test('a perfect hypothesis has a DER of 0, whatever its labels', () => {
  const r = diarizationErrorRate(REF, REF.map((x) => ({ ...x, speaker: x.speaker === 'A' ? 'SPEAKER_00' : 'SPEAKER_01' })));
  assert.equal(r.der, 0);
  assert.deepEqual(r.mapping, { SPEAKER_00: 'A', SPEAKER_01: 'B' });
});

test('swapped labels cost nothing: the mapping is optimal, not by name', () => {
  const swapped = REF.map((x) => ({ ...x, speaker: x.speaker === 'A' ? 'B' : 'A' }));
  assert.equal(diarizationErrorRate(REF, swapped).der, 0);
});

test('an empty hypothesis misses everything: DER 1, scored time without the collars', () => {
  const r = diarizationErrorRate(REF, []);
  assert.equal(r.der, 1);
  // Boundaries at 0, 10 (two turns meet), 20, 22, 30: the collars cover 0.25 + 0.5 + 0.25 + 0.25 + 0.25 s of speech.
  close(r.scored, 28 - 1.5, 'scored');
  close(r.missed, r.scored, 'missed');
  assert.equal(r.falseAlarm, 0);
  assert.equal(r.confusion, 0);
});

test('a confusion of known length is counted once, as confusion', () => {
  // B's turn is given to A for 12..16 (4 s, far from every collar).
  const hyp = [t(0, 10, 'x'), t(10, 12, 'y'), t(12, 16, 'x'), t(16, 20, 'y'), t(22, 30, 'x')];
  const r = diarizationErrorRate(REF, hyp, { collar: 0 });
  close(r.confusion, 4, 'confusion');
  close(r.scored, 28, 'scored');
  close(r.der, 4 / 28, 'der');
  assert.equal(r.missed + r.falseAlarm, 0);
});

test('speech in a reference gap is a false alarm, and speech beyond it too', () => {
  const hyp = [t(0, 10, 'x'), t(10, 22, 'y'), t(22, 30, 'x'), t(40, 42, 'x')];
  const r = diarizationErrorRate(REF, hyp, { collar: 0 });
  close(r.falseAlarm, 2 + 2, 'falseAlarm');
  close(r.der, 4 / 28, 'der');
});

test('boundary errors inside the 0.25 s collar are not scored; beyond it they are', () => {
  const late = [t(0, 10.2, 'x'), t(10.2, 20, 'y'), t(22.1, 30, 'x')];
  assert.equal(diarizationErrorRate(REF, late).der, 0);
  const later = [t(0, 10.5, 'x'), t(10.5, 20, 'y'), t(22, 30, 'x')];
  const r = diarizationErrorRate(REF, later);
  close(r.confusion, 0.25, 'confusion outside the collar');
  close(diarizationErrorRate(REF, later, { collar: 0 }).confusion, 0.5, 'confusion without a collar');
});

test('overlapped reference speech is left out by default and scored per speaker when asked', () => {
  const ref = [t(0, 10, 'A'), t(8, 14, 'B')];
  const hyp = [t(0, 9, 'x'), t(9, 14, 'y')];
  const skip = diarizationErrorRate(ref, hyp, { collar: 0 });
  close(skip.scored, 8 + 4, 'scored without overlap');
  assert.equal(skip.der, 0);
  const all = diarizationErrorRate(ref, hyp, { collar: 0, skipOverlap: false });
  close(all.scored, 10 + 6, 'scored with overlap');
  close(all.missed, 2, 'one voice of the two missed in the overlap');
});

test('more hypothesis speakers than reference ones: the extra is confusion, the best is mapped', () => {
  const ref = [t(0, 30, 'A')];
  const hyp = [t(0, 20, 'x'), t(20, 30, 'y')];
  const r = diarizationErrorRate(ref, hyp, { collar: 0 });
  assert.deepEqual(r.mapping, { x: 'A' });
  close(r.confusion, 10, 'confusion');
});

test('no reference and no hypothesis scores 0; only false alarms score Infinity', () => {
  assert.equal(diarizationErrorRate([], []).der, 0);
  assert.equal(diarizationErrorRate([], [t(0, 1, 'x')]).der, Infinity);
});

test('the assignment is the cheapest one (checked against every permutation)', () => {
  const cost = [
    [4, 1, 3, 9],
    [2, 0, 5, 1],
    [3, 2, 2, 7],
  ];
  const best = minCostAssignment(cost);
  const total = (cols: number[]) => cols.reduce((s, c, r) => s + cost[r]![c]!, 0);
  let brute = Infinity;
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) {
    if (a !== b && b !== c && a !== c) brute = Math.min(brute, total([a, b, c]));
  }
  assert.equal(new Set(best).size, 3);
  assert.equal(total(best), brute);
});
