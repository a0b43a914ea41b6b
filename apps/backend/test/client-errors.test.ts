import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/** Sends raw bytes and reads the whole answer (the server closes after an error). */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(answer) : reject(err)));
    socket.write(bytes);
  });
}

describe("errors Node's HTTP parser raises answer in the app's error body", () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ listen: true });
  });
  after(async () => {
    await b?.destroy();
  });

  it('answers a 20,000-byte storage key with 431 and a coded error', async () => {
    const res = await fetch(`http://127.0.0.1:${b.config.port}/storage/videos/${'a'.repeat(20_000)}.mp4`);
    assert.equal(res.status, 431);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error?: { code: string; message: string } };
    assert.equal(body.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.match(body.error?.message ?? '', /too large/);
  });

  it('answers a malformed request line with 400 VALIDATION_ERROR', async () => {
    const answer = await rawExchange(b.config.port, 'GET /api/config HTTP/9.9 nonsense\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
    assert.equal(body.error.code, 'VALIDATION_ERROR');
  });
});
