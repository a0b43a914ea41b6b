import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from '../src/jobs/backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelayMs', () => {
  it('doubles each attempt between half and all of its step', () => {
    assert.equal(backoffDelayMs(1, policy, () => 0), 500);
    assert.equal(backoffDelayMs(1, policy, () => 0.999999), 1000);
    assert.equal(backoffDelayMs(2, policy, () => 0), 1000);
    assert.equal(backoffDelayMs(3, policy, () => 0.5), 3000);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [7, 10, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      assert.ok(backoffDelayMs(attempt, policy, () => 0.999999) <= 60_000);
      assert.ok(backoffDelayMs(attempt, policy, () => 0) >= 30_000);
    }
  });

  it('spreads retries: different random draws give different delays', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelayMs(4, policy, () => r)));
    assert.equal(delays.size, 4);
  });

  it('treats attempt 0 or less as the first retry', () => {
    assert.equal(backoffDelayMs(0, policy, () => 0), 500);
    assert.equal(backoffDelayMs(-3, policy, () => 0), 500);
  });
});
