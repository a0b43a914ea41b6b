import { z } from 'zod';

/**
 * Accounts, sessions and API keys (issue 11). With ECG_AUTH=off every request
 * acts as the single built-in user `anonymous` (an admin), and the account
 * endpoints say so instead of asking anyone to log in.
 */

/** The session cookie: HttpOnly, SameSite=Lax, Secure behind https; a new value at every login. */
export const SESSION_COOKIE = 'ecg_session';

/** The owner of everything made while ECG_AUTH=off, and of jobs made before accounts existed. */
export const ANONYMOUS_USER_ID = 'anonymous';

/** API keys start with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'ecg_';

export const UserRole = z.enum(['admin', 'user']).meta({ id: 'UserRole' });
export type UserRole = z.infer<typeof UserRole>;

/** RFC 5321 caps a path at 256 octets, so an address is at most 254 characters. Compared lower-cased. */
export const Email = z.string().trim().toLowerCase().max(254).email();

/**
 * A new password: NIST SP 800-63B §5.1.1.2 asks for at least 8 characters and
 * room for at least 64; 256 keeps argon2's input bounded without getting in
 * the way of passphrases and password managers. No composition rules (NIST).
 */
export const NewPassword = z.string().min(8).max(256);

export const LoginRequest = z
  .object({
    // Not validated as an address: a malformed one is simply a wrong one (same answer as any).
    email: z.string().trim().toLowerCase().min(1).max(254),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** One-time setup of the first admin, from a loopback address while no user exists. */
export const SetupRequest = z.object({ email: Email, password: NewPassword }).meta({ id: 'SetupRequest' });
export type SetupRequest = z.infer<typeof SetupRequest>;

export const SetupStatus = z
  .object({
    auth_enabled: z.boolean(),
    /** True while no user exists and this request came from a loopback address: the web app shows the setup page. */
    setup_available: z.boolean(),
  })
  .meta({ id: 'SetupStatus' });
export type SetupStatus = z.infer<typeof SetupStatus>;

/** Who is signed in. `email` is null only for `anonymous` (ECG_AUTH=off). */
export const SessionUser = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    role: UserRole,
  })
  .meta({ id: 'SessionUser' });
export type SessionUser = z.infer<typeof SessionUser>;

/** `GET /api/auth/me`, and the answer to login and setup. */
export const AuthSession = z
  .object({
    auth_enabled: z.boolean(),
    user: SessionUser,
    /** How the request was authenticated: a session cookie, an API key, or nothing needed (auth off). */
    via: z.enum(['session', 'api_key', 'none']),
    /** Bytes the user's jobs keep in storage (uploads, derived files, renders); null when storage could not say. */
    storage_bytes: z.number().int().nonnegative().nullable(),
    job_count: z.number().int().nonnegative(),
  })
  .meta({ id: 'AuthSession' });
export type AuthSession = z.infer<typeof AuthSession>;

/** A user as the admin's users page lists it. */
export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    role: UserRole,
    disabled: z.boolean(),
    created_at: z.string().datetime(),
    job_count: z.number().int().nonnegative(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const UserList = z.object({ users: z.array(User) }).meta({ id: 'UserList' });
export type UserList = z.infer<typeof UserList>;

export const CreateUserRequest = z
  .object({ email: Email, password: NewPassword, role: UserRole.default('user') })
  .meta({ id: 'CreateUserRequest' });
export type CreateUserRequest = z.input<typeof CreateUserRequest>;

/** `PATCH /api/admin/users/{userId}`: disabling ends the user's sessions and stops their keys at once. */
export const UpdateUserRequest = z.object({ disabled: z.boolean() }).meta({ id: 'UpdateUserRequest' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const UserIdParams = z.object({ userId: z.string() }).meta({ id: 'UserIdParams' });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The key's first characters, to tell keys apart; the key itself is shown once, at creation. */
    prefix: z.string(),
    created_at: z.string().datetime(),
    last_used_at: z.string().datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyList = z.object({ keys: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const CreateApiKeyRequest = z.object({ name: z.string().trim().min(1).max(100) }).meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** The new key, in full, this once: only its hash is stored. */
export const CreatedApiKey = ApiKey.extend({ key: z.string() }).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyIdParams = z.object({ keyId: z.string() }).meta({ id: 'ApiKeyIdParams' });

/** The secret that signs this user's webhooks (WebhookEvent), for verifying them. */
export const WebhookSecret = z.object({ secret: z.string() }).meta({ id: 'WebhookSecret' });
export type WebhookSecret = z.infer<typeof WebhookSecret>;
