import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, type RestartPolicy } from '../../scripts/restart-policy.js';

const POLICY: RestartPolicy = { maxRestarts: 3, windowMs: 60_000, baseDelayMs: 500, maxDelayMs: 4000 };

describe('npm start: restarting a service that died', () => {
  it('restarts a service that died for the first time after the base delay', () => {
    const d = decideRestart([], 100_000, POLICY);
    assert.deepEqual(d, { action: 'restart', delayMs: 500, restarts: [100_000] });
  });

  it('waits longer after each recent restart, up to the cap', () => {
    const delays: number[] = [];
    let restarts: number[] = [];
    const policy = { ...POLICY, maxRestarts: 10 };
    for (let i = 0; i < 6; i++) {
      const d = decideRestart(restarts, 100_000 + i * 1000, policy);
      assert.equal(d.action, 'restart');
      if (d.action !== 'restart') return;
      delays.push(d.delayMs);
      restarts = d.restarts;
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('gives up once the service died more than maxRestarts times within the window, saying so', () => {
    const d = decideRestart([10_000, 20_000, 30_000], 40_000, POLICY);
    assert.equal(d.action, 'give-up');
    if (d.action === 'give-up') assert.match(d.reason, /3 times within 60 s/);
  });

  it('forgets restarts older than the window, so a service that crashes once a day keeps being restarted', () => {
    const d = decideRestart([0, 1000, 2000], 2000 + 60_001, POLICY);
    assert.deepEqual(d, { action: 'restart', delayMs: 500, restarts: [2000 + 60_001] });
  });

  it('counts only the restarts still inside the window when choosing the delay', () => {
    const d = decideRestart([0, 50_000], 70_000, POLICY);
    assert.deepEqual(d, { action: 'restart', delayMs: 1000, restarts: [50_000, 70_000] });
  });
});
