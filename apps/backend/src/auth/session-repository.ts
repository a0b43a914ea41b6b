import type { UserRole } from '@ecg/contracts';
import type { Db } from '../db/db.js';
import { sha256Hex } from './tokens.js';

/** Who a live session or key belongs to. */
export interface Holder {
  userId: string;
  email: string;
  role: UserRole;
}

interface HolderRow {
  user_id: string;
  email: string;
  role: UserRole;
}

const toHolder = (r: HolderRow): Holder => ({ userId: r.user_id, email: r.email, role: r.role });

/**
 * Browser sessions: the cookie carries a random token, the table only its
 * hash. Expiry is idle-based: each use pushes it `ttlSeconds` ahead, written
 * at most once a minute per session so reads do not each cost a write.
 */
export class SessionRepository {
  constructor(
    private readonly db: Db,
    private readonly ttlSeconds: number,
  ) {}

  async create(token: string, userId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + ($3::double precision * interval '1 second'))`,
      [sha256Hex(token), userId, this.ttlSeconds],
    );
  }

  /** The session's user if it is live and the user enabled; renews it. */
  async lookup(token: string): Promise<Holder | null> {
    const rows = await this.db.query<HolderRow>(
      `WITH s AS (SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()),
       renewed AS (
         UPDATE sessions SET expires_at = now() + ($2::double precision * interval '1 second')
          WHERE token_hash = $1 AND expires_at > now()
            AND expires_at < now() + ($2::double precision * interval '1 second') - interval '1 minute')
       SELECT u.id AS user_id, u.email, u.role FROM users u JOIN s ON s.user_id = u.id WHERE u.disabled_at IS NULL`,
      [sha256Hex(token), this.ttlSeconds],
    );
    return rows[0] ? toHolder(rows[0]) : null;
  }

  async delete(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(token)]);
  }

  /** Drops expired sessions (the retention sweep's tick); returns how many. */
  async deleteExpired(): Promise<number> {
    const rows = await this.db.query<{ token_hash: string }>('DELETE FROM sessions WHERE expires_at <= now() RETURNING token_hash');
    return rows.length;
  }
}
