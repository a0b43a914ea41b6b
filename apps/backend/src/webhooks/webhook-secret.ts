/**
 * Which secret signs a user's webhooks. Issue 11 wants one per user; until
 * accounts exist every job belongs to the single anonymous owner, and its
 * secret is WEBHOOK_SECRET. Accounts replace this function, not its callers.
 */
export type WebhookSecretFor = (ownerId: string) => string;

export const ANONYMOUS_OWNER = 'anonymous';

export function singleOwnerWebhookSecret(secret: string): WebhookSecretFor {
  return () => secret;
}
