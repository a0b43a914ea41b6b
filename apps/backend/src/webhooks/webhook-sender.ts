import type { FastifyBaseLogger } from 'fastify';
import { WebhookEvent } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import { backoffDelayMs, type BackoffPolicy } from '@ecg/service-kit';
import { createTickLoop } from '../jobs/tick-loop.js';
import { judgeAttempt } from './delivery-verdict.js';
import { defaultResolveHost, postWebhook, type ResolveHost } from './post-webhook.js';
import type { WebhookDelivery, WebhookRepository } from './webhook-repository.js';
import type { WebhookSecretFor } from './webhook-secret.js';

export interface WebhookSenderOptions {
  webhooks: Pick<WebhookRepository, 'anyDue' | 'claimDue' | 'markDelivered' | 'scheduleRetry' | 'giveUp'>;
  secretFor: WebhookSecretFor;
  /** PUBLIC_URL: result_url is `<publicUrl>/api/upload-video/result/<job id>`. */
  publicUrl: string;
  /** WEBHOOK_ALLOWED_ORIGINS: origins reached even on a loopback or private address. */
  allowedOrigins: readonly string[];
  intervalMs: number;
  /** Attempts in all before a delivery is given up. */
  maxAttempts: number;
  backoff: Required<Pick<BackoffPolicy, 'baseMs' | 'maxMs'>>;
  /** Delay before retry `attempt` (1 = first retry); default: backoffDelayMs with `backoff`. */
  retryDelayMs?: (attempt: number) => number;
  /** Told how each attempt went (GET /metrics counts them). */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'gave_up') => void;
  resolveHost?: ResolveHost;
  /** One attempt's limit; a receiver that takes longer is retried later. */
  timeoutMs?: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  batchSize?: number;
}

export interface WebhookSender {
  start(): void;
  stop(): Promise<void>;
  kick(): void;
  /** One pass: send every due delivery once. */
  tick(): Promise<void>;
}

/** The body ECG signs and sends: the stored event plus its result_url, checked against the contract. */
export function webhookBody(delivery: Pick<WebhookDelivery, 'jobId' | 'body'>, publicUrl: string): string {
  const event = WebhookEvent.parse({
    ...delivery.body,
    result_url: `${publicUrl}/api/upload-video/result/${delivery.jobId}`,
  });
  return JSON.stringify(event);
}

/**
 * Sends queued webhooks (webhook_deliveries, queued where jobs end) in a tick
 * loop like the dispatcher's. All state is in the database: attempts and
 * the next try survive a restart, and several backends may run this at once
 * (deliveries are claimed with a lease). Signed with signCallback, the same
 * scheme as the ML service's deliveries to the backend.
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSender {
  const batch = opts.batchSize ?? 20;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // Longer than one attempt can take, so a claim does not expire while its POST is in flight.
  const leaseMs = timeoutMs * 3;
  const resolveHost = opts.resolveHost ?? defaultResolveHost;
  const retryDelayMs = opts.retryDelayMs ?? ((attempt: number) => backoffDelayMs(attempt, { ...opts.backoff, jitter: 0.5 }));
  const log = opts.logger;

  async function deliver(d: WebhookDelivery): Promise<void> {
    const body = webhookBody(d, opts.publicUrl);
    const secret = await opts.secretFor(d.ownerId);
    if (secret === null) {
      await opts.webhooks.giveUp(d.jobId, 'the job’s owner no longer exists');
      return;
    }
    const outcome = await postWebhook({
      url: d.url,
      body,
      headers: signCallback(secret, body),
      allowedOrigins: opts.allowedOrigins,
      resolveHost,
      timeoutMs,
    });
    const verdict = judgeAttempt(outcome, d.attempts, opts.maxAttempts);
    opts.onAttempt?.(verdict.action === 'delivered' ? 'delivered' : verdict.action === 'give-up' ? 'gave_up' : 'retry');
    if (verdict.action === 'delivered') {
      await opts.webhooks.markDelivered(d.jobId);
      log.info({ jobId: d.jobId, attempts: d.attempts }, 'webhook delivered');
    } else if (verdict.action === 'give-up') {
      await opts.webhooks.giveUp(d.jobId, verdict.error);
      log.warn({ jobId: d.jobId, attempts: d.attempts, error: verdict.error }, 'webhook given up');
    } else {
      const delayMs = retryDelayMs(d.attempts);
      await opts.webhooks.scheduleRetry(d.jobId, delayMs, verdict.error);
      log.info({ jobId: d.jobId, attempts: d.attempts, delayMs, error: verdict.error }, 'webhook failed; retrying later');
    }
  }

  async function tick(): Promise<void> {
    const due = await opts.webhooks.claimDue(batch, leaseMs);
    // One slow receiver must not hold up the others' webhooks.
    await Promise.all(
      due.map((d) => deliver(d).catch((err: unknown) => log.error({ jobId: d.jobId, err }, 'webhook delivery failed; its lease ends and it is tried again'))),
    );
    if (due.length === batch) loop.kick();
  }

  const loop = createTickLoop({
    intervalMs: opts.intervalMs,
    tick,
    due: () => opts.webhooks.anyDue(),
    onError: (err) => log.error({ err }, 'webhook tick failed; retrying next tick'),
  });

  return { start: () => loop.start(), stop: () => loop.stop(), kick: () => loop.kick(), tick };
}
