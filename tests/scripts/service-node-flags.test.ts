import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SERVICE_NODE_FLAGS } from '@ecg/service-kit/node-flags';
import { REPO_ROOT } from '../helpers/stack.js';

describe('the services’ Node.js flags', () => {
  it('npm run start:backend and start:ml pass every one of them to node', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start:backend', 'start:ml']) {
      const argv = scripts[name]!.split(/\s+/);
      assert.equal(argv[0], 'node', name);
      const beforeEntry = argv.slice(1, argv.indexOf('--import'));
      assert.deepEqual(beforeEntry, [...SERVICE_NODE_FLAGS], `${name}: ${scripts[name]}`);
    }
  });

  it('each app’s own npm start passes them too', () => {
    for (const app of ['backend', 'ml']) {
      const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'apps', app, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
      const argv = start.split(/\s+/);
      assert.equal(argv[0], 'tsx', start);
      assert.deepEqual(argv.slice(1, -1), [...SERVICE_NODE_FLAGS], `apps/${app}: ${start}`);
    }
  });

  it('this Node.js accepts them (a misspelt V8 flag would stop every service at start)', () => {
    const r = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, '-e', 'process.exit(7)'], { encoding: 'utf8' });
    assert.equal(r.status, 7, r.stderr);
    assert.equal(r.stderr, '');
  });
});
