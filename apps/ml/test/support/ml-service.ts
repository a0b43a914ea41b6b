/**
 * Starts the real ML service in-process (createMlService: real whisper-cli,
 * real ffmpeg, file store and outbox) on a free port with a throw-away
 * ML_DATA_DIR, configured by environment variables as in production.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MlStatusResponse } from '@ecg/contracts';
import { loadConfig, type MlConfig } from '../../src/config.js';
import { createMlService, type MlService, type MlServiceOptions } from '../../src/service.js';

export const TOKEN = 'test-ml-token';
export const SECRET = 'test-callback-secret';

export interface RunningService {
  url: string;
  config: MlConfig;
  service: MlService;
  /** Stops the service (as a shutdown would), keeping its data dir. */
  stop(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ecg-ml-test-'));
}

export async function startService(
  env: Record<string, string>,
  opts: MlServiceOptions = {},
): Promise<RunningService> {
  const config = loadConfig({
    ML_API_TOKEN: TOKEN,
    CALLBACK_SECRET: SECRET,
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    // Greedy decoding: random weights never stop early, so a beam of 5 costs 5x the steps.
    WHISPER_BEAM_SIZE: '1',
    WHISPER_THREADS: '2',
    WHISPER_VAD: 'off',
    // Tests poll status every few ms; the limit has its own test (status-route.test.ts).
    ML_STATUS_RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
  const service = await createMlService(config, { outboxBackoff: () => 200, progressIntervalMs: 200, ...opts });
  await service.start();
  const address = await service.app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, config, service, stop: () => service.close() };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** What is left in the service's per-job temp root (must be nothing once jobs end). */
export async function tempLeftovers(config: MlConfig): Promise<string[]> {
  return readdir(join(config.mlDataDir, 'tmp')).catch(() => []);
}

export async function processVideo(url: string, body: Record<string, unknown>, token = TOKEN): Promise<Response> {
  return fetch(`${url}/api/upload-video/process-video`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

export async function getStatus(url: string, jobId: string): Promise<MlStatusResponse> {
  const res = await fetch(`${url}/api/upload-video/status/${jobId}`);
  if (res.status !== 200) throw new Error(`status answered ${res.status}`);
  return (await res.json()) as MlStatusResponse;
}

/** Polls status until the job is completed or failed; returns every status seen. */
export async function pollUntilDone(url: string, jobId: string, intervalMs = 100): Promise<MlStatusResponse[]> {
  const seen: MlStatusResponse[] = [];
  for (;;) {
    const s = await getStatus(url, jobId);
    seen.push(s);
    if (s.status === 'completed' || s.status === 'failed') return seen;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
