import { randomUUID } from 'node:crypto';
import { ANONYMOUS_USER_ID, type UserRole } from '@ecg/contracts';
import type { Db } from '../db/db.js';
import { isUuid } from '../db/uuid.js';
import { newWebhookSecret } from './tokens.js';

export interface UserRecord {
  id: string;
  email: string;
  role: UserRole;
  disabled: boolean;
  createdAt: Date;
}

/** A user with the hash a login checks. */
export interface UserCredentials extends UserRecord {
  passwordHash: string;
}

interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
}

const toUser = (r: UserRow): UserRecord => ({ id: r.id, email: r.email, role: r.role, disabled: r.disabled_at !== null, createdAt: r.created_at });

/** createUser for an email that already has an account. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account for ${email} exists already`);
    this.name = 'EmailTakenError';
  }
}


/** Every SQL statement about users. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  }

  async findByEmail(email: string): Promise<UserCredentials | null> {
    const rows = await this.db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    const r = rows[0];
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  async get(id: string): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /**
   * Creates a user; EmailTakenError when the address has one. With
   * `onlyIfNone`, only while no user exists at all (the first admin, from
   * ADMIN_EMAIL or the setup page): null when someone was first. The first
   * user also takes over the jobs made before accounts existed ('anonymous').
   */
  async create(
    user: { email: string; passwordHash: string; role: UserRole },
    opts: { onlyIfNone?: boolean } = {},
  ): Promise<UserRecord | null> {
    return this.db.transaction(async (tx) => {
      // Serialises first-user creation across backends, so two setups cannot both win.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [USERS_LOCK_KEY]);
      const existing = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      const none = (existing[0]?.n ?? 0) === 0;
      if (opts.onlyIfNone && !none) return null;
      const taken = await tx.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [user.email]);
      if (taken.length > 0) throw new EmailTakenError(user.email);
      const rows = await tx.query<UserRow>(
        `INSERT INTO users (id, email, password_hash, role, webhook_secret) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [randomUUID(), user.email, user.passwordHash, user.role, newWebhookSecret()],
      );
      const created = rows[0];
      if (!created) throw new Error('INSERT … RETURNING gave no row');
      if (none) await tx.query(`UPDATE jobs SET owner_id = $1 WHERE owner_id = $2`, [created.id, ANONYMOUS_USER_ID]);
      return toUser(created);
    });
  }

  async list(): Promise<Array<UserRecord & { jobCount: number }>> {
    const rows = await this.db.query<UserRow & { job_count: number }>(
      `SELECT u.*, (SELECT count(*)::int FROM jobs j WHERE j.owner_id = u.id::text AND j.deleting_at IS NULL) AS job_count
         FROM users u ORDER BY u.created_at, u.email`,
    );
    return rows.map((r) => ({ ...toUser(r), jobCount: Number(r.job_count) }));
  }

  /** Disables or enables a user; disabling also ends every session (keys stop: lookups check disabled_at). */
  async setDisabled(id: string, disabled: boolean): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<UserRow>(
        `UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) ELSE NULL END WHERE id = $1 RETURNING *`,
        [id, disabled],
      );
      if (rows[0] && disabled) await tx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
      return rows[0] ? toUser(rows[0]) : null;
    });
  }

  /** The secret that signs a user's webhooks; null for no such user. */
  async webhookSecret(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<{ webhook_secret: string }>('SELECT webhook_secret FROM users WHERE id = $1', [id]);
    return rows[0]?.webhook_secret ?? null;
  }
}

// Any constant works; it only has to be the same in every backend process (and differ from the migrations').
const USERS_LOCK_KEY = 7_412_009_232;
