import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ML_NODE_FLAGS, SERVICE_NODE_FLAGS, nodeFlagsFor } from '@ecg/service-kit/node-flags';
import { REPO_ROOT } from '../helpers/stack.js';

/**
 * A worker thread (the diarizer's kind of thread) runs a hot function until
 * TurboFan compiles it; prints V8's --trace-opt lines. The function's name is
 * looked for in them.
 */
const HOT_IN_A_WORKER = `
const { Worker } = require('node:worker_threads');
new Worker(\`
  function hotInWorker(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * i) % 7; return s; }
  let t = 0;
  for (let k = 0; k < 3000; k++) t += hotInWorker(1000);
  if (t < 0) console.log(t);
\`, { eval: true });
`;

function compileModes(flags: readonly string[]): string[] {
  const r = spawnSync(process.execPath, [...flags, '--trace-opt', '-e', HOT_IN_A_WORKER], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/compiling method \S+ <JSFunction hotInWorker[^\n]*mode: ConcurrencyMode::(\w+)/g)].map((m) => m[1]!);
}

describe('the services’ Node.js flags', () => {
  it('npm run start:backend and start:ml pass each service’s flags to node', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const service of ['backend', 'ml'] as const) {
      const name = `start:${service}`;
      const argv = scripts[name]!.split(/\s+/);
      assert.equal(argv[0], 'node', name);
      const beforeEntry = argv.slice(1, argv.indexOf('--import'));
      assert.deepEqual(beforeEntry, [...nodeFlagsFor(service)], `${name}: ${scripts[name]}`);
    }
  });

  it('each app’s own npm start passes them too', () => {
    for (const app of ['backend', 'ml'] as const) {
      const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'apps', app, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
      const argv = start.split(/\s+/);
      assert.equal(argv[0], 'tsx', start);
      assert.deepEqual(argv.slice(1, -1), [...nodeFlagsFor(app)], `apps/${app}: ${start}`);
    }
  });

  it('the ML service’s are the common ones and more; the backend’s are the common ones', () => {
    assert.deepEqual(nodeFlagsFor('backend'), SERVICE_NODE_FLAGS);
    assert.deepEqual(ML_NODE_FLAGS.slice(0, SERVICE_NODE_FLAGS.length), [...SERVICE_NODE_FLAGS]);
  });

  it('this Node.js accepts them (a misspelt V8 flag would stop every service at start)', () => {
    for (const flags of [SERVICE_NODE_FLAGS, ML_NODE_FLAGS]) {
      const r = spawnSync(process.execPath, [...flags, '-e', 'process.exit(7)'], { encoding: 'utf8' });
      assert.equal(r.status, 7, r.stderr);
      assert.equal(r.stderr, '');
    }
  });

  it('with the ML service’s flags, a worker thread’s hot code is compiled on that thread, not on V8’s shared helpers', () => {
    // Control: without them this Node compiles it concurrently (on a helper thread at the service's priority).
    const control = compileModes(SERVICE_NODE_FLAGS);
    assert.ok(control.length > 0 && control.every((m) => m === 'kConcurrent'), `without the flag: ${control.join(', ')}`);
    const ml = compileModes(ML_NODE_FLAGS);
    assert.ok(ml.length > 0, 'the hot function was compiled');
    assert.ok(ml.every((m) => m === 'kSynchronous'), `with the ML flags: ${ml.join(', ')}`);
  });
});
