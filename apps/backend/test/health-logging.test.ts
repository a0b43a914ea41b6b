import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { buildApp, type App } from '../src/app.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

describe('request logging', () => {
  let b: TestBackend;
  let app: App;
  const lines: Array<{ msg?: string; req?: { url?: string }; reqId?: string }> = [];
  before(async () => {
    b = await startTestBackend();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[number]);
        done();
      },
    });
    // A second app on the same database and storage, logging at info into the sink.
    app = await buildApp({ config: b.config, db: b.db, storage: b.storage, logger: pino({ level: 'info' }, sink) });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await b?.destroy();
  });

  it('does not log health-check polls, and does log other requests', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    await app.inject({ method: 'GET', url: '/api/config' });
    const urls = lines.filter((l) => l.msg === 'incoming request').map((l) => l.req?.url);
    assert.ok(urls.includes('/api/config'), `other requests are logged: ${JSON.stringify(urls)}`);
    assert.ok(!urls.includes('/health'), `health polls are not: ${JSON.stringify(urls)}`);
  });
});
