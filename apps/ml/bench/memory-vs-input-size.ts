/**
 * Peak memory of the ML service process for a 10 MB and a 500 MB input of
 * the same duration: the service streams downloads to disk and ffmpeg reads
 * from the file, so its peak must not grow with the file size.
 *
 * Runs the real service entry point (node + tsx, no wrapper process, so the
 * PID measured is the service itself) against a stand-in storage server and
 * a stand-in backend on loopback, and reads VmHWM from /proc.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ML_NODE_FLAGS } from '@ecg/service-kit/node-flags';
import { ffmpeg } from '../test/helpers/media.js';
import { testModelPath } from '../test/helpers/test-model.js';
import { VAD_MODEL } from '../test/helpers/fixtures.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A 5.5 s clip whose size is set by its raw video frame size. */
async function makeInput(path: string, size: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=16000',
    '-t', '5.5', '-c:v', 'rawvideo', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', path]);
}

function peakKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function measure(inputPath: string, model: string): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'ecg-mem-'));
  const storage = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/x-matroska', 'content-length': String(statSync(inputPath).size) });
    createReadStream(inputPath).pipe(res);
  });
  let delivered: (() => void) | undefined;
  const done = new Promise<void>((r) => (delivered = r));
  const backend = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"received"}');
      if (/"status":"(completed|failed)"|"result"/.test(body)) delivered?.();
    });
  });
  const storageUrl = await listen(storage);
  const backendUrl = await listen(backend);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const token = randomUUID();
  const child = spawn(process.execPath, [...ML_NODE_FLAGS, '--import', 'tsx', 'apps/ml/src/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env, ML_PORT: String(port), DATA_DIR: work, ML_DATA_DIR: join(work, 'ml'), ML_API_TOKEN: token, CALLBACK_SECRET: 'bench',
      BACKEND_URL: backendUrl, ML_ALLOWED_ORIGINS: storageUrl, WHISPER_MODEL: model, WHISPER_VAD_MODEL: VAD_MODEL,
      WHISPER_TEMPERATURE_FALLBACK: 'false', LOG_LEVEL: 'warn',
    },
  });
  try {
    const ml = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('ML service did not become ready');
      try {
        if ((await fetch(`${ml}/health`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await fetch(`${ml}/api/upload-video/process-video`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ job_id: randomUUID(), video_url: `${storageUrl}/input.mkv` }),
    });
    if (!res.ok) throw new Error(`process-video answered ${res.status}: ${await res.text()}`);
    await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('no delivery in 120 s')), 120_000))]);
    return peakKb(child.pid!);
  } finally {
    child.kill('SIGTERM');
    storage.close();
    backend.close();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(work, { recursive: true, force: true });
  }
}

export async function main(): Promise<Array<{ label: string; bytes: number; peakMB: number }>> {
  const work = mkdtempSync(join(tmpdir(), 'ecg-mem-inputs-'));
  try {
    const model = await testModelPath('micro');
    const out: Array<{ label: string; bytes: number; peakMB: number }> = [];
    for (const [label, size] of [['10 MB', '200x200'], ['500 MB', '1920x1080']] as const) {
      const input = join(work, `${label.replace(' ', '')}.mkv`);
      await makeInput(input, size);
      const kb = await measure(input, model);
      out.push({ label, bytes: statSync(input).size, peakMB: kb / 1024 });
      rmSync(input);
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await main();
  console.log('ML service peak memory (VmHWM of the service process) by input size, same 5.5 s duration:');
  for (const r of rows) console.log(`  ${r.label.padEnd(7)} input (${(r.bytes / 1e6).toFixed(0)} MB): peak ${r.peakMB.toFixed(0)} MB`);
  const [a, b] = rows;
  if (a && b) console.log(`  growth from 10 MB to 500 MB input: ${(b.peakMB - a.peakMB).toFixed(0)} MB (must stay flat)`);
}
