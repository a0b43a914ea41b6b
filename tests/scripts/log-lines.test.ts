import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineFormatter } from '../../scripts/log-lines.js';

describe('npm start log lines', () => {
  const pino = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 7, hostname: 'box', msg: 'backend ready', storage: 'local' });

  it('prints pino JSON as a readable line with the level, message and fields, without pid and hostname', () => {
    const out = lineFormatter({ pretty: true, colorize: false })(pino);
    assert.match(out, /INFO/);
    assert.match(out, /backend ready/);
    assert.match(out, /storage: "local"/);
    assert.ok(!out.trimStart().startsWith('{'), out);
    assert.ok(!/hostname|pid/.test(out), out);
    assert.ok(out.endsWith('\n'));
  });

  it('passes other lines, and JSON that is not a log record, as they came', () => {
    const f = lineFormatter({ pretty: true, colorize: false });
    assert.equal(f('frame=  42 fps=0.0'), 'frame=  42 fps=0.0\n');
    assert.equal(f('{"not":"a log"}'), '{"not":"a log"}\n');
    assert.equal(f('{broken'), '{broken\n');
  });

  it('keeps the JSON with LOG_FORMAT=json', () => {
    assert.equal(lineFormatter({ pretty: false, colorize: false })(pino), `${pino}\n`);
  });
});
