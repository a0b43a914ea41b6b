/**
 * `npm run bench:api`: requests per second and p50/p99 latency of the
 * backend's generate-url and status routes and the ML service's status
 * route, at 50 concurrent clients (autocannon), against one backend and one
 * ML process started as `npm start` starts them; next to a bare Fastify
 * server measured in the same run, as the ceiling. Prints figures; asserts
 * nothing (speed targets are read, not tested).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { GenerateUrlResponse, RequestProcessResponse } from '@ecg/contracts';
import { freePort, REPO_ROOT, startStack } from '../tests/helpers/stack.js';
import { testModelPath } from '../apps/ml/test/helpers/test-model.js';
import { JFK_WAV } from '../apps/ml/test/helpers/fixtures.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);

interface Figure {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(label: string, opts: autocannon.Options): Promise<Figure> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts };
}

export async function main(): Promise<Figure[]> {
  const barePort = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bench', 'bare-fastify.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(barePort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => bare.stdout.once('data', () => resolve()));
  const stack = await startStack({
    WHISPER_MODEL: await testModelPath('micro'),
    // Every request of the run comes from one address: the per-client limits would answer 429 instead of measuring.
    RATE_LIMIT_PER_MINUTE: '100000000',
    ML_STATUS_RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  });
  try {
    // One real job, whose status both services then answer.
    const json = { 'content-type': 'application/json' };
    const grant = (await (await fetch(`${stack.backendUrl}/api/upload-video/generate-url`, { method: 'POST', headers: json, body: JSON.stringify({ filename: 'jfk.wav', filetype: 'audio/wav' }) })).json()) as GenerateUrlResponse;
    await fetch(grant.url, { method: grant.method, headers: grant.headers, body: readFileSync(JFK_WAV) });
    const { jobId } = (await (await fetch(`${stack.backendUrl}/api/upload-video/request-process`, { method: 'POST', headers: json, body: JSON.stringify({ fileKey: grant.fileKey }) })).json()) as RequestProcessResponse;
    // Measured once the ML service holds the job (the dispatcher hands it over within a second or so).
    for (const until = Date.now() + 60_000; (await fetch(`${stack.mlUrl}/api/upload-video/status/${jobId}`)).status !== 200; ) {
      if (Date.now() > until) throw new Error(`the ML service never received job ${jobId}:\n${stack.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const body = JSON.stringify({ filename: 'talk.mp4', filetype: 'video/mp4', filesize: 1_000_000 });
    const figures = [
      await measure('bare Fastify GET (ceiling)', { url: `http://127.0.0.1:${barePort}/status/${jobId}` }),
      await measure('backend GET status/{job_id}', { url: `${stack.backendUrl}/api/upload-video/status/${jobId}` }),
      await measure('ML GET status/{job_id}', { url: `${stack.mlUrl}/api/upload-video/status/${jobId}` }),
      await measure('bare Fastify POST JSON (ceiling)', { url: `http://127.0.0.1:${barePort}/generate-url`, method: 'POST', headers: json, body }),
      await measure('backend POST generate-url', { url: `${stack.backendUrl}/api/upload-video/generate-url`, method: 'POST', headers: json, body }),
    ];
    return figures;
  } finally {
    bare.kill('SIGTERM');
    await stack.stop();
  }
}

export function report(figures: readonly Figure[]): string[] {
  return figures.map(
    (f) =>
      `${f.label.padEnd(34)} ${f.rps.toFixed(0).padStart(7)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms${f.errors ? `   (${f.errors} non-2xx/errors)` : ''}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`API throughput, ${CONNECTIONS} concurrent clients, ${SECONDS} s each (one backend, one ML process, PGlite, local storage)`);
  for (const line of report(await main())) console.log(`   ${line}`);
}
