/**
 * 200 jobs submitted at once, transcribed with the generated `micro` test
 * model: every job must end, the queues must drain, and both services'
 * memory must stay flat while they work through the backlog. Real processes
 * (backend and ML service started as `npm start` starts them, embedded
 * database and storage); RSS read from /proc every half second. Prints
 * figures; asserts nothing (a bench, not a test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { GenerateUrlResponse, JobListResponse, RequestProcessResponse } from '@ecg/contracts';
import { metricSample } from '../../tests/helpers/prometheus.js';
import { nodeFlagsFor } from '@ecg/service-kit/node-flags';
import { REPO_ROOT, systemEnv } from '../../tests/helpers/stack.js';
import { DEFAULT_BACKEND_NICE } from '../../apps/backend/src/process-priority.js';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV } from '../../apps/ml/test/helpers/fixtures.js';

export interface ManyJobsFigures {
  jobs: number;
  completed: number;
  failed: number;
  seconds: number;
  /** RSS in MB of each service when a quarter, half, three quarters and all of the jobs had ended. */
  rssAtQuarters: { backend: number[]; ml: number[] };
  peakRss: { backend: number; ml: number };
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    if (child.exitCode !== null) throw new Error(`${url}: the service exited`);
    if ((await fetch(url).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not healthy within 60 s`);
}

export async function main(jobs = 200): Promise<ManyJobsFigures> {
  const model = await testModelPath('micro');
  const { env, dataDir, backendUrl, mlUrl } = await systemEnv('ecg-many-', {
    WHISPER_MODEL: model,
    WHISPER_BEAM_SIZE: '1',
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
    // The product's priority for the backend, not the test suite's 0 (stack.ts).
    BACKEND_NICE: String(DEFAULT_BACKEND_NICE),
  }, (u) => ({ BACKEND_URL: u.backendUrl, ML_URL: u.mlUrl }));
  const start = (service: 'backend' | 'ml') =>
    spawn(process.execPath, [...nodeFlagsFor(service), '--import', 'tsx', `apps/${service}/src/main.ts`], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const backend = start('backend');
  const ml = start('ml');
  try {
    await waitHealthy(`${backendUrl}/health`, backend);
    await waitHealthy(`${mlUrl}/health`, ml);
    const json = { 'content-type': 'application/json' };
    const audio = readFileSync(JFK_WAV);
    const keys: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const grant = (await (await fetch(`${backendUrl}/api/upload-video/generate-url`, { method: 'POST', headers: json, body: JSON.stringify({ filename: `talk-${i}.wav`, filetype: 'audio/wav' }) })).json()) as GenerateUrlResponse;
      const put = await fetch(grant.url, { method: grant.method, headers: grant.headers, body: audio });
      if (!put.ok) throw new Error(`upload ${i}: ${put.status}`);
      keys.push(grant.fileKey);
    }
    const t0 = performance.now();
    // All at once: the backlog is the dispatcher's and the ML queue's to work through.
    await Promise.all(
      keys.map(async (fileKey) => {
        const res = await fetch(`${backendUrl}/api/upload-video/request-process`, { method: 'POST', headers: json, body: JSON.stringify({ fileKey, language: 'en' }) });
        if (!res.ok) throw new Error(`request-process: ${res.status} ${await res.text()}`);
        return ((await res.json()) as RequestProcessResponse).jobId;
      }),
    );
    const quarters = [0.25, 0.5, 0.75, 1].map((q) => Math.ceil(q * jobs));
    const rssAtQuarters = { backend: [] as number[], ml: [] as number[] };
    const peakRss = { backend: 0, ml: 0 };
    let ended = 0;
    let completed = 0;
    let failed = 0;
    while (ended < jobs) {
      await new Promise((r) => setTimeout(r, 500));
      const b = rssMb(backend.pid);
      const m = rssMb(ml.pid);
      peakRss.backend = Math.max(peakRss.backend, b);
      peakRss.ml = Math.max(peakRss.ml, m);
      const list = (await (await fetch(`${backendUrl}/api/upload-video/jobs?limit=100`)).json()) as JobListResponse;
      // The list shows the newest 100; the ended count comes from /metrics, which counts them all.
      const metrics = await (await fetch(`${backendUrl}/metrics`)).text();
      const count = (status: string) => metricSample(metrics, 'ecg_jobs', { status }) ?? 0;
      completed = count('completed');
      failed = count('failed');
      ended = completed + failed;
      while (rssAtQuarters.backend.length < quarters.length && ended >= quarters[rssAtQuarters.backend.length]!) {
        rssAtQuarters.backend.push(b);
        rssAtQuarters.ml.push(m);
      }
      if (performance.now() - t0 > 30 * 60_000) throw new Error(`only ${ended} of ${jobs} jobs ended in 30 min (list shows ${list.jobs.length})`);
    }
    return { jobs, completed, failed, seconds: (performance.now() - t0) / 1000, rssAtQuarters, peakRss };
  } finally {
    backend.kill('SIGTERM');
    ml.kill('SIGTERM');
    await Promise.all([backend, ml].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function report(f: ManyJobsFigures): string[] {
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
  return [
    `${f.jobs} jobs submitted at once: ${f.completed} completed, ${f.failed} failed in ${f.seconds.toFixed(0)} s (${((f.jobs / f.seconds) * 60).toFixed(0)} jobs a minute)`,
    `RSS at 25/50/75/100 % done: backend ${fmt(f.rssAtQuarters.backend)} MB, ML ${fmt(f.rssAtQuarters.ml)} MB (peak ${f.peakRss.backend.toFixed(0)} / ${f.peakRss.ml.toFixed(0)} MB; target: flat)`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of report(await main(Number(process.env.BENCH_JOBS ?? 200)))) console.log(line);
}
