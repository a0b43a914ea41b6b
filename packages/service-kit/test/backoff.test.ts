import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from '../src/backoff.js';

describe('the one retry backoff', () => {
  const noJitter = { jitter: 0 };
  it('doubles from the base delay', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, { baseMs: 1000, ...noJitter })), [1000, 2000, 4000, 8000]);
  });

  it('stops growing at the cap, even after thousands of attempts', () => {
    assert.equal(backoffDelayMs(20, { baseMs: 1000, maxMs: 60_000, ...noJitter }), 60_000);
    assert.equal(backoffDelayMs(5000, { baseMs: 1000, maxMs: 60_000, ...noJitter }), 60_000);
    assert.equal(backoffDelayMs(Number.MAX_SAFE_INTEGER, { baseMs: 1000, maxMs: 60_000, ...noJitter }), 60_000);
  });

  it('waits at most 30 s by default, so a backend that is back is found within half a minute', () => {
    assert.equal(backoffDelayMs(9, noJitter), 30_000);
    assert.equal(backoffDelayMs(50, noJitter), 30_000);
  });

  it('takes at most the jitter fraction off, never adds; equal jitter (0.5) stays within half and all of the step', () => {
    assert.equal(backoffDelayMs(3, { baseMs: 1000, jitter: 0.5, random: () => 1 }), 2000);
    assert.equal(backoffDelayMs(3, { baseMs: 1000, jitter: 0.5, random: () => 0 }), 4000);
    for (const r of [0, 0.3, 0.7, 0.999]) {
      const d = backoffDelayMs(4, { baseMs: 1000, maxMs: 60_000, jitter: 0.5, random: () => r });
      assert.ok(d >= 4000 && d <= 8000, String(d));
    }
    const spread = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelayMs(4, { baseMs: 1000, jitter: 0.5, random: () => r })));
    assert.equal(spread.size, 4, 'different draws give different delays');
  });

  it('treats attempt 0 or negative as the first retry', () => {
    assert.equal(backoffDelayMs(0, { baseMs: 500, ...noJitter }), 500);
    assert.equal(backoffDelayMs(-3, { baseMs: 500, ...noJitter }), 500);
  });
});
