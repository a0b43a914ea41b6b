import type { ApiKeyList, AuthSession, CreatedApiKey, GenerateUrlResponse, RequestProcessResponse, TranscriptResult, User } from '@ecg/contracts';
import { SESSION_COOKIE } from '@ecg/contracts';
import type { App } from '../../src/app.js';
import { deliverResult } from './completed-job.js';
import { putUpload } from './upload.js';

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' } as const;

/** A backend with accounts: ECG_AUTH=on and the first admin from ADMIN_EMAIL/ADMIN_PASSWORD. */
export const AUTH_ENV = { ECG_AUTH: 'on', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } as const;

/** The app's own origin in tests (PUBLIC_URL's default for PORT 8000). */
export const OWN_ORIGIN = 'http://127.0.0.1:8000';

/** Headers that authenticate a request: a session cookie (with the app's own Origin) or a Bearer key. */
export type Credentials = Record<string, string>;

export function sessionCookieOf(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const mine = all.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!mine) throw new Error(`no ${SESSION_COOKIE} cookie in ${JSON.stringify(all)}`);
  return mine;
}

/** Logs in; the session as a browser on the app's own page would send it. */
export async function login(app: App, email: string, password: string): Promise<Credentials> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login answered ${res.statusCode}: ${res.body}`);
  const cookie = sessionCookieOf(res.headers['set-cookie']).split(';')[0]!;
  return { cookie, origin: OWN_ORIGIN };
}

export async function me(app: App, creds: Credentials): Promise<AuthSession> {
  const res = await app.inject({ method: 'GET', url: '/api/auth/me', headers: creds });
  if (res.statusCode !== 200) throw new Error(`me answered ${res.statusCode}: ${res.body}`);
  return res.json<AuthSession>();
}

export async function createUser(app: App, admin: Credentials, email: string, password: string, role: 'admin' | 'user' = 'user'): Promise<User> {
  const res = await app.inject({ method: 'POST', url: '/api/admin/users', headers: admin, payload: { email, password, role } });
  if (res.statusCode !== 201) throw new Error(`create user answered ${res.statusCode}: ${res.body}`);
  return res.json<User>();
}

export async function createApiKey(app: App, creds: Credentials, name = 'test key'): Promise<CreatedApiKey> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/api-keys', headers: creds, payload: { name } });
  if (res.statusCode !== 201) throw new Error(`create key answered ${res.statusCode}: ${res.body}`);
  return res.json<CreatedApiKey>();
}

export async function listApiKeys(app: App, creds: Credentials): Promise<ApiKeyList> {
  const res = await app.inject({ method: 'GET', url: '/api/auth/api-keys', headers: creds });
  if (res.statusCode !== 200) throw new Error(`list keys answered ${res.statusCode}: ${res.body}`);
  return res.json<ApiKeyList>();
}

export const bearer = (key: string): Credentials => ({ authorization: `Bearer ${key}` });

/** Uploads bytes as `creds`' user; returns the key. */
export async function uploadAs(app: App, creds: Credentials, fileName: string, bytes = Buffer.from('video bytes')): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/upload-video/generate-url',
    headers: creds,
    payload: { filename: fileName, filetype: 'video/mp4' },
  });
  if (res.statusCode !== 200) throw new Error(`generate-url answered ${res.statusCode}: ${res.body}`);
  const grant = res.json<GenerateUrlResponse>();
  await putUpload(app, grant, bytes);
  return grant.fileKey;
}

export async function queuedJobAs(app: App, creds: Credentials, fileName: string): Promise<string> {
  const fileKey = await uploadAs(app, creds, fileName);
  const res = await app.inject({ method: 'POST', url: '/api/upload-video/request-process', headers: creds, payload: { fileKey } });
  if (res.statusCode !== 200) throw new Error(`request-process answered ${res.statusCode}: ${res.body}`);
  return res.json<RequestProcessResponse>().jobId;
}

export async function completedJobAs(app: App, creds: Credentials, fileName: string, result: TranscriptResult): Promise<string> {
  const id = await queuedJobAs(app, creds, fileName);
  await deliverResult(app, id, result);
  return id;
}
