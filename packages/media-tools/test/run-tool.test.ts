import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOnPath, runTool } from '../src/index.js';

test('finds a tool on PATH and not elsewhere', () => {
  assert.match(findOnPath('sh', process.env.PATH) ?? '', /\/sh$/);
  assert.equal(findOnPath('sh', '/nonexistent-dir'), null);
});

test('runs a tool, reporting exit code, stdout lines and the tail of stderr', async () => {
  const lines: string[] = [];
  const run = await runTool('sh', ['-c', 'echo one; echo two; echo oops >&2; exit 3'], { onStdoutLine: (l) => lines.push(l) });
  assert.equal(run.code, 3);
  assert.deepEqual(lines, ['one', 'two']);
  assert.equal(run.stderr.trim(), 'oops');
});

test('an aborted run kills the child and rejects with the reason', async () => {
  const ac = new AbortController();
  const started = runTool('sh', ['-c', 'sleep 30'], { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
  await assert.rejects(started, /cancelled by test/);
});
