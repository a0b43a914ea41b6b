/** What one attempt to POST a webhook came to. */
export type AttemptOutcome =
  | { kind: 'answered'; status: number }
  /** The address policy refused the URL or what its host resolves to: nothing was sent. */
  | { kind: 'refused'; reason: string }
  /** No answer: DNS failure, connection refused, timeout. */
  | { kind: 'unreachable'; reason: string };

export type DeliveryVerdict = { action: 'delivered' } | { action: 'retry'; error: string } | { action: 'give-up'; error: string };

/**
 * What to do after an attempt. A 2xx is delivered. A 4xx says the request
 * itself is wrong (gone, unauthorised, unknown route), so repeating it is
 * pointless, except 408 and 429, which ask for a later try. A refused
 * address is given up too: the policy will refuse it again. Anything else
 * (5xx, 3xx, no answer) is retried until `maxAttempts` attempts were made.
 */
export function judgeAttempt(outcome: AttemptOutcome, attempts: number, maxAttempts: number): DeliveryVerdict {
  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) return { action: 'delivered' };
  if (outcome.kind === 'refused') return { action: 'give-up', error: `not sent: ${outcome.reason}` };
  const error = outcome.kind === 'answered' ? `the receiver answered HTTP ${outcome.status}` : `no answer: ${outcome.reason}`;
  if (outcome.kind === 'answered' && outcome.status >= 400 && outcome.status < 500 && outcome.status !== 408 && outcome.status !== 429) {
    return { action: 'give-up', error };
  }
  if (attempts >= maxAttempts) return { action: 'give-up', error: `${error} (after ${attempts} attempts)` };
  return { action: 'retry', error };
}
