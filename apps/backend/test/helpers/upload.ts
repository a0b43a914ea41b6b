import type { GenerateUrlResponse } from '@ecg/contracts';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';

/** Asks for an upload URL; fails the test unless it is granted. */
export async function generateUrl(app: App, filename: string, filetype: string): Promise<GenerateUrlResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/upload-video/generate-url', payload: { filename, filetype } });
  if (res.statusCode !== 200) throw new Error(`generate-url answered ${res.statusCode}: ${res.body}`);
  return res.json<GenerateUrlResponse>();
}

/** PUTs bytes to a presigned URL of the app's own local storage, as a browser would, and answers whatever storage said. */
export async function tryPutUpload(app: App, grant: GenerateUrlResponse, bytes: Buffer): Promise<LightMyRequestResponse> {
  const url = new URL(grant.url);
  return app.inject({ method: 'PUT', url: url.pathname + url.search, headers: grant.headers, payload: bytes });
}

/** PUTs bytes to a presigned URL of the app's own local storage, as a browser would. */
export async function putUpload(app: App, grant: GenerateUrlResponse, bytes: Buffer): Promise<number> {
  const res = await tryPutUpload(app, grant, bytes);
  if (res.statusCode >= 300) throw new Error(`upload PUT answered ${res.statusCode}: ${res.body}`);
  return res.statusCode;
}

/** Uploads a file end to end and returns its key. */
export async function uploadFile(app: App, filename: string, filetype: string, bytes: Buffer): Promise<string> {
  const grant = await generateUrl(app, filename, filetype);
  await putUpload(app, grant, bytes);
  return grant.fileKey;
}
