import {
  ApiKeyList,
  AuthSession,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateUserRequest,
  LoginRequest,
  SetupRequest,
  SetupStatus,
  UpdateUserRequest,
  User,
  UserList,
  WebhookSecret,
} from '@ecg/contracts';
import { ApiError, NO_BODY, requestJson, type Schema } from './http.js';

/*
 * The accounts API (issue 11). The session is an HttpOnly cookie the app never
 * sees: every call here is same-origin (the Vite dev server proxies /api), so
 * fetch's default `credentials: 'same-origin'` sends it and stores the one
 * login and setup set.
 */

const enc = encodeURIComponent;

/**
 * A request body as the contract normalises it (emails trimmed and
 * lower-cased, the role's default), or VALIDATION_ERROR as the server would
 * answer, so a form that let something through still fails as data.
 */
function body<T>(schema: Schema<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('VALIDATION_ERROR', parsed.error.message, 400);
  return parsed.data;
}

/** Whether accounts are on, and whether this browser may create the first admin (no user yet, on a loopback address). */
export async function getSetupStatus(): Promise<SetupStatus> {
  return (await requestJson('/api/auth/setup', SetupStatus, { cache: 'no-store' })).body;
}

/** Creates the first admin and signs in as them (409 SETUP_NOT_AVAILABLE once anyone exists, or from elsewhere than loopback). */
export async function setupFirstAdmin(request: SetupRequest): Promise<AuthSession> {
  return (await requestJson('/api/auth/setup', AuthSession, { method: 'POST', json: body(SetupRequest, request) })).body;
}

/** Signs in: 401 INVALID_CREDENTIALS for a wrong email or password alike; 429 LOGIN_RATE_LIMITED with retryAfterSeconds. */
export async function login(request: LoginRequest): Promise<AuthSession> {
  return (await requestJson('/api/auth/login', AuthSession, { method: 'POST', json: body(LoginRequest, request) })).body;
}

/** Ends the session and clears its cookie (204). */
export async function logout(): Promise<void> {
  await requestJson('/api/auth/logout', NO_BODY, { method: 'POST' });
}

/** Who is signed in, with their storage and job count; 401 AUTHENTICATION_REQUIRED without a session. */
export async function getMe(signal?: AbortSignal): Promise<AuthSession> {
  return (await requestJson('/api/auth/me', AuthSession, { cache: 'no-store', signal })).body;
}

export async function listApiKeys(): Promise<ApiKeyList> {
  return (await requestJson('/api/auth/api-keys', ApiKeyList, { cache: 'no-store' })).body;
}

/** A new key; its `key` is in this answer only (the server keeps a hash). */
export async function createApiKey(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
  return (await requestJson('/api/auth/api-keys', CreatedApiKey, { method: 'POST', json: body(CreateApiKeyRequest, request) })).body;
}

export async function revokeApiKey(keyId: string): Promise<void> {
  await requestJson(`/api/auth/api-keys/${enc(keyId)}`, NO_BODY, { method: 'DELETE' });
}

/** The secret that signs this user's webhooks (callback_url), for verifying them. */
export async function getWebhookSecret(): Promise<WebhookSecret> {
  return (await requestJson('/api/auth/webhook-secret', WebhookSecret, { cache: 'no-store' })).body;
}

/** Admins only (403 FORBIDDEN otherwise). */
export async function listUsers(): Promise<UserList> {
  return (await requestJson('/api/admin/users', UserList, { cache: 'no-store' })).body;
}

/** Admins only; 409 EMAIL_TAKEN when the address has an account. */
export async function createUser(request: CreateUserRequest): Promise<User> {
  return (await requestJson('/api/admin/users', User, { method: 'POST', json: body(CreateUserRequest, request) })).body;
}

/** Admins only: disabling ends the user's sessions and stops their keys at once. */
export async function updateUser(userId: string, request: UpdateUserRequest): Promise<User> {
  return (await requestJson(`/api/admin/users/${enc(userId)}`, User, { method: 'PATCH', json: body(UpdateUserRequest, request) })).body;
}
