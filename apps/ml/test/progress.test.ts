import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateEtaSeconds, ProgressTracker, stageProgress } from '../src/pipeline/progress.js';

describe('progress arithmetic', () => {
  it('maps each stage onto its slice of 0..100', () => {
    assert.equal(stageProgress('downloading', 0), 0);
    assert.equal(stageProgress('downloading', 1), 10);
    assert.equal(stageProgress('extracting', 0.5), 15);
    assert.equal(stageProgress('transcribing', 0), 20);
    assert.equal(stageProgress('transcribing', 0.5), 52.5);
    assert.equal(stageProgress('transcribing', 1), 85);
    assert.equal(stageProgress('analyzing', 0), 85);
    assert.equal(stageProgress('analyzing', 1), 90);
    assert.equal(stageProgress('finalizing', 0), 90);
    assert.equal(stageProgress('finalizing', 1), 95);
    assert.equal(stageProgress('delivering', 1), 100);
  });

  it('clamps fractions outside 0..1 and ignores NaN', () => {
    assert.equal(stageProgress('transcribing', 7), 85);
    assert.equal(stageProgress('transcribing', -1), 20);
    assert.equal(stageProgress('transcribing', Number.NaN), 20);
  });

  it('never moves the bar backwards, even when a stage restarts its own count', () => {
    const t = new ProgressTracker();
    t.update('transcribing', 0.5);
    assert.equal(t.value, 52);
    t.update('transcribing', 0.1);
    assert.equal(t.value, 52);
    t.update('extracting', 0);
    assert.equal(t.value, 52);
    t.update('analyzing', 0);
    assert.equal(t.value, 85);
    t.update('finalizing', 0);
    assert.equal(t.value, 90);
  });

  it('lays the stages end to end in pipeline order, so walking them never moves the bar back', () => {
    const order = ['queued', 'downloading', 'extracting', 'transcribing', 'analyzing', 'finalizing', 'delivering', 'completed'] as const;
    for (let i = 1; i < order.length; i++) {
      assert.equal(stageProgress(order[i]!, 0), stageProgress(order[i - 1]!, 1), `${order[i - 1]} ends where ${order[i]} starts`);
    }
    assert.ok(stageProgress('analyzing', 1) > stageProgress('analyzing', 0), 'analysis has a visible slice of the bar');
  });

  it('reports a change only for a new whole percent or a new stage', () => {
    const t = new ProgressTracker();
    assert.equal(t.update('transcribing', 0), true);
    assert.equal(t.update('transcribing', 0.001), false);
    assert.equal(t.update('transcribing', 0.02), true);
    assert.equal(t.update('analyzing', 0), true);
    assert.equal(t.update('finalizing', 0), true);
  });

  it('estimates the time left from the average rate so far', () => {
    assert.equal(estimateEtaSeconds(10, 50), 10);
    assert.equal(estimateEtaSeconds(30, 25), 90);
    assert.equal(estimateEtaSeconds(5, 100), 0);
  });

  it('gives no estimate before there is progress to extrapolate from', () => {
    assert.equal(estimateEtaSeconds(10, 0), null);
    assert.equal(estimateEtaSeconds(10, 2), null);
    assert.equal(estimateEtaSeconds(0, 50), null);
  });
});
