import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets ECG can generate for a single-machine install. */
export const GENERATED_SECRETS = ['ML_API_TOKEN', 'CALLBACK_SECRET', 'STORAGE_SIGNING_SECRET', 'WEBHOOK_SECRET'] as const;
export type GeneratedSecret = (typeof GENERATED_SECRETS)[number];

/**
 * Returns the secret from the environment, or from `<dataDir>/secrets.json`,
 * creating it there (mode 0600) on first use. This is what lets `npm start`
 * work with no configuration while a real deployment sets every secret by
 * environment variable and never writes one to disk. Several processes sharing
 * one DATA_DIR agree because the file is written once, atomically, and re-read.
 */
export function resolveSecret(name: GeneratedSecret, env: NodeJS.ProcessEnv, dataDir: string): string {
  const fromEnv = env[name]?.trim();
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'secrets.json');
  const existing = readSecrets(file);
  const known = existing[name];
  if (known) return known;
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...existing, [name]: value }, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
  // Another process may have won the race between read and rename: trust the file.
  return readSecrets(file)[name] ?? value;
}

function readSecrets(file: string): Partial<Record<GeneratedSecret, string>> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Partial<Record<GeneratedSecret, string>>) : {};
  } catch {
    return {};
  }
}
