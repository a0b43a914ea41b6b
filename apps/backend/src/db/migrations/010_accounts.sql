-- Accounts (issue 11): users, their browser sessions and API keys, and the
-- owner of every job. Secrets are stored only as hashes: passwords with
-- argon2id, session tokens and API keys (32 random bytes, so a plain
-- SHA-256 suffices) as hex SHA-256, so a read of this database lets no one in.
CREATE TABLE IF NOT EXISTS users (
  id             uuid PRIMARY KEY,
  email          text NOT NULL,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'user')),
  -- Signs this user's webhooks (callback_url); 32 random bytes, hex.
  webhook_secret text NOT NULL,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
-- Emails are compared lower-cased: one account per address however it is typed.
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (lower(email));

CREATE TABLE IF NOT EXISTS sessions (
  token_hash text PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Idle expiry: pushed forward as the session is used (SESSION_TTL_HOURS).
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);

CREATE TABLE IF NOT EXISTS api_keys (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  -- The key's first characters, shown in lists so keys can be told apart.
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_by_user ON api_keys (user_id);

-- Whose job it is: a user's id, or 'anonymous' (ECG_AUTH=off, and every job
-- made before accounts existed; the first admin created takes those over).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS owner_id text NOT NULL DEFAULT 'anonymous';
CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner_id, created_at DESC) WHERE deleting_at IS NULL;
