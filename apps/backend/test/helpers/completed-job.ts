import type { ErrorCode, RequestProcessResponse, ResultCallbackInput, TranscriptResult } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import type { App } from '../../src/app.js';
import { TEST_SECRETS } from './test-backend.js';
import { uploadFile } from './upload.js';

/** Uploads bytes under `fileName` and asks for processing, as the web app does; returns the queued job's id. */
export async function queuedJob(app: App, fileName: string, bytes?: Buffer): Promise<string> {
  const fileKey = await uploadFile(app, fileName, 'video/mp4', bytes ?? Buffer.from('video bytes'));
  const res = await app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey } });
  if (res.statusCode !== 200) throw new Error(`request-process answered ${res.statusCode}: ${res.body}`);
  return res.json<RequestProcessResponse>().jobId;
}

/** Delivers a result the way the ML service does: a signed callback. */
export async function deliverResult(app: App, jobId: string, result: TranscriptResult): Promise<void> {
  await deliver(app, { job_id: jobId, result });
}

/** Delivers a failure the way the ML service does. */
export async function deliverFailure(app: App, jobId: string, code: ErrorCode, message: string): Promise<void> {
  await deliver(app, { job_id: jobId, status: 'failed', error_code: code, error_message: message });
}

async function deliver(app: App, body: ResultCallbackInput): Promise<void> {
  const raw = JSON.stringify(body);
  const res = await app.inject({
    method: 'POST',
    url: '/api/upload-video/result',
    headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
    payload: raw,
  });
  if (res.statusCode !== 200) throw new Error(`the result callback answered ${res.statusCode}: ${res.body}`);
}

/** A job that went all the way: uploaded, queued, completed with `result`. */
export async function completedJob(app: App, fileName: string, result: TranscriptResult, bytes?: Buffer): Promise<string> {
  const id = await queuedJob(app, fileName, bytes);
  await deliverResult(app, id, result);
  return id;
}
