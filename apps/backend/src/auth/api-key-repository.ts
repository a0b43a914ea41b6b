import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db.js';
import { isUuid } from '../db/uuid.js';
import type { Holder } from './session-repository.js';
import { apiKeyPrefix, sha256Hex } from './tokens.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toKey = (r: ApiKeyRow): ApiKeyRecord => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at });

/**
 * API keys, stored as hashes. A lookup reads the table every time, with no
 * cache, so a revoked key or a disabled user's key stops at the very next
 * request.
 */
export class ApiKeyRepository {
  constructor(private readonly db: Db) {}

  async create(userId: string, name: string, key: string): Promise<ApiKeyRecord> {
    const rows = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, user_id, name, key_hash, prefix) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [randomUUID(), userId, name, sha256Hex(key), apiKeyPrefix(key)],
    );
    const row = rows[0];
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return toKey(row);
  }

  /** The key's user, if the key is live and the user enabled; notes the use (at most once a minute). */
  async lookup(key: string): Promise<Holder | null> {
    const rows = await this.db.query<{ user_id: string; email: string; role: Holder['role'] }>(
      `WITH k AS (
         SELECT id, user_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL),
       used AS (
         UPDATE api_keys SET last_used_at = now()
          WHERE id IN (SELECT id FROM k) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))
       SELECT u.id AS user_id, u.email, u.role FROM users u JOIN k ON k.user_id = u.id WHERE u.disabled_at IS NULL`,
      [sha256Hex(key)],
    );
    const r = rows[0];
    return r ? { userId: r.user_id, email: r.email, role: r.role } : null;
  }

  async list(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      'SELECT * FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id',
      [userId],
    );
    return rows.map(toKey);
  }

  /** Revokes one of the user's keys; false when the user has no such live key. */
  async revoke(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db.query<{ id: string }>(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
      [id, userId],
    );
    return rows.length > 0;
  }
}
