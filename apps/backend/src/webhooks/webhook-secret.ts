import { ANONYMOUS_USER_ID } from '@ecg/contracts';
import type { UserRepository } from '../auth/user-repository.js';

/** Which secret signs an owner's webhooks; null for an owner that no longer exists. */
export type WebhookSecretFor = (ownerId: string) => Promise<string | null>;

/**
 * Each user's own secret (users.webhook_secret, shown at GET
 * /api/auth/webhook-secret); jobs of `anonymous` (ECG_AUTH=off) are signed
 * with WEBHOOK_SECRET.
 */
export function webhookSecrets(anonymousSecret: string, users: Pick<UserRepository, 'webhookSecret'>): WebhookSecretFor {
  return async (ownerId) => (ownerId === ANONYMOUS_USER_ID ? anonymousSecret : users.webhookSecret(ownerId));
}
