import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOnPath, lastLine, logTail, runTool, TOOL_CAPTURE_LIMIT } from '../src/index.js';

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

test('keeps the start of a flood of stdout and the end of a flood of stderr, each at the capture limit', async () => {
  // 1 MiB each way: stdout starts with "first", stderr ends with "last".
  const script = 'printf first; head -c 1048576 /dev/zero | tr "\\0" a; head -c 1048576 /dev/zero | tr "\\0" b >&2; printf last >&2';
  const run = await runTool('sh', ['-c', script]);
  assert.equal(run.code, 0);
  assert.equal(run.stdout.length, TOOL_CAPTURE_LIMIT);
  assert.ok(run.stdout.startsWith('firstaaa'));
  assert.equal(run.stderr.length, TOOL_CAPTURE_LIMIT);
  assert.ok(run.stderr.endsWith('bbblast'));
});

test('with captureStdout false, keeps no stdout yet hands every line over', async () => {
  const lines: string[] = [];
  const run = await runTool('sh', ['-c', 'seq 1 5000'], { captureStdout: false, onStdoutLine: (l) => lines.push(l) });
  assert.equal(run.stdout, '');
  assert.equal(lines.length, 5000);
  assert.equal(lines.at(-1), '5000');
});

test('an aborted run kills the child and rejects with the reason, even while a grandchild holds the pipes', async () => {
  const ac = new AbortController();
  // `sleep` runs as the shell's child and keeps stdout open after the shell is killed.
  const started = runTool('sh', ['-c', 'sleep 30; echo done'], { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    started.then(
      () => 'resolved',
      (err: Error) => err.message,
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(resolve, 10_000, 'still waiting for the pipes');
    }),
  ]);
  clearTimeout(timer);
  assert.equal(settled, 'cancelled by test');
});

test('a signal aborted before the start spawns nothing and rejects with the reason', async () => {
  const ac = new AbortController();
  ac.abort(new Error('never started'));
  await assert.rejects(runTool('/nonexistent/ffmpeg', [], { signal: ac.signal }), /never started/);
});

test('a binary that does not exist rejects with ENOENT', async () => {
  await assert.rejects(runTool('/nonexistent/ffmpeg', ['-version']), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
});

test('quotes the last lines of a log with URLs cut out', () => {
  const log = 'ffmpeg version 5\n\n[https @ 0x1] HTTP error 403\nhttps://store.example/v.mp4?X-Signature=abc: Server returned 403 Forbidden\n  \n';
  assert.equal(lastLine(log), '<URL> Server returned 403 Forbidden');
  assert.equal(logTail(log, 2), '[https @ 0x1] HTTP error 403 | <URL> Server returned 403 Forbidden');
  assert.equal(lastLine(''), '');
  assert.equal(lastLine('x'.repeat(2000)).length, 500);
});
