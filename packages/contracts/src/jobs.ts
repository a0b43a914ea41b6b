import { z } from 'zod';

/**
 * Job status values. `queued` means accepted and waiting (for the ML service
 * to take it, or for a free worker); `pending` is the original ECG clients'
 * name for the same thing and is accepted on input, never produced.
 */
export const JobStatus = z.enum(['queued', 'processing', 'completed', 'failed']);
export type JobStatus = z.infer<typeof JobStatus>;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed'];
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Status as the original clients may send it in a callback. */
export const CompatJobStatus = z
  .enum(['pending', 'queued', 'processing', 'completed', 'failed'])
  .transform((s): JobStatus => (s === 'pending' ? 'queued' : s));

/**
 * Pipeline stages, in order. Progress is monotonic across them; the ML
 * service owns the split (see apps/ml progress weights).
 */
export const JobStage = z.enum([
  'queued',
  'downloading',
  'extracting',
  'transcribing',
  'analyzing',
  'finalizing',
  'delivering',
  'completed',
  'failed',
]);
export type JobStage = z.infer<typeof JobStage>;

export const Progress = z.number().min(0).max(100);

/** Time-stamped signature headers carried by every ML → backend delivery. */
export const CALLBACK_TIMESTAMP_HEADER = 'x-ecg-timestamp';
export const CALLBACK_SIGNATURE_HEADER = 'x-ecg-signature';
/** Deliveries older (or further in the future) than this are refused. */
export const CALLBACK_MAX_SKEW_SECONDS = 300;
