import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTickLoop } from '../src/jobs/tick-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('tick loop with a due check', () => {
  it('skips the ticks the timer brings while `due` says there is nothing to do, and runs them once it says there is', async () => {
    let ticks = 0;
    let asked = 0;
    let dueNow = false;
    const loop = createTickLoop({
      intervalMs: 10,
      tick: async () => void (ticks += 1),
      due: async () => {
        asked += 1;
        return dueNow;
      },
      onError: (err) => assert.fail(String(err)),
    });
    loop.start();
    try {
      await until('the first tick', () => ticks === 1);
      await until('several due checks', () => asked >= 5);
      assert.equal(ticks, 1, 'only the first tick after start ran: every timer tick was skipped');
      dueNow = true;
      await until('a tick once work is due', () => ticks >= 2);
    } finally {
      await loop.stop();
    }
  });

  it('runs the first tick after start and every kicked tick without asking `due`', async () => {
    let ticks = 0;
    let asked = 0;
    const loop = createTickLoop({
      // Long enough that no timer tick comes during the test.
      intervalMs: 60_000,
      tick: async () => void (ticks += 1),
      due: async () => {
        asked += 1;
        return false;
      },
      onError: (err) => assert.fail(String(err)),
    });
    loop.start();
    try {
      await until('the first tick', () => ticks === 1);
      loop.kick();
      await until('the kicked tick', () => ticks === 2);
      assert.equal(asked, 0);
    } finally {
      await loop.stop();
    }
  });

  it('reports a failing due check like a failing tick and keeps going', async () => {
    const errors: unknown[] = [];
    let asked = 0;
    const loop = createTickLoop({
      intervalMs: 5,
      tick: async () => {},
      due: async () => {
        asked += 1;
        throw new Error('probe failed');
      },
      onError: (err) => errors.push(err),
    });
    loop.start();
    try {
      await until('two failed checks', () => asked >= 2);
      assert.match(String(errors[0]), /probe failed/);
    } finally {
      await loop.stop();
    }
  });
});
