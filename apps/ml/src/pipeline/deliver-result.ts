import type { ErrorCode, JobStage, ResultCallbackInput, ThumbnailSprite, TranscriptResult, WaveformJson } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import { withoutControlChars } from '../text/strip-control-chars.js';

export const RESULT_CALLBACK_PATH = '/api/upload-video/result';

/** How long a stage must last before it is posted: a quarter of the page's 1 s poll (ProgressDelivery says why). */
export const DEFAULT_STAGE_SETTLE_MS = 250;

/** The delivery URL for a base URL (BACKEND_URL or an allow-listed fastapi_base_url). */
export function callbackUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${RESULT_CALLBACK_PATH}`;
}

/**
 * Bodies are built as strings once and stored as such: the signature covers
 * the exact bytes sent, and a retry days later must send the same bytes.
 *
 * Size: the waveform is 200 numbers a second of audio (-128..127: 3 bytes
 * each as JSON for speech as measured on jfk.wav, 5 at worst), 2.2–3.6 MB per
 * hour, so a 4 h recording (MAX_MEDIA_SECONDS' default) sends 9–14 MB of
 * waveform plus ~130 bytes per analysed word: inside the backend's 64 MiB
 * callback body limit with room to spare. The outbox holds the body in memory
 * and on disk until delivered, once per job. Every string in every body has
 * its control characters removed (stripControlChars): the backend stores
 * them in PostgreSQL, which refuses U+0000.
 */
export function resultBody(jobId: string, result: TranscriptResult, waveform?: WaveformJson, thumbnails?: ThumbnailSprite): string {
  // The sprite is at most 100 tiles of 160x90 (~0.6 MB as base64) however long the video.
  const body: ResultCallbackInput = {
    job_id: jobId,
    status: 'completed',
    progress: 100,
    stage: 'completed',
    result,
    ...(waveform ? { waveform } : {}),
    ...(thumbnails ? { thumbnails } : {}),
  };
  return JSON.stringify(body, withoutControlChars);
}

export function failureBody(jobId: string, code: ErrorCode, message: string): string {
  const body: ResultCallbackInput = {
    job_id: jobId,
    status: 'failed',
    stage: 'failed',
    error_code: code,
    error_message: message.slice(0, 4000),
    message: message.slice(0, 2000),
  };
  return JSON.stringify(body, withoutControlChars);
}

export function progressBody(jobId: string, stage: JobStage, progress: number, message: string): string {
  const body: ResultCallbackInput = { job_id: jobId, status: 'processing', stage, progress, message: message.slice(0, 2000) };
  return JSON.stringify(body, withoutControlChars);
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  /** The backend says the job does not exist there: retrying cannot help. */
  | { kind: 'gone'; status: number }
  | { kind: 'retry'; error: string };

/**
 * POSTs `rawBody` signed with `signCallback`. Redirects are not followed: a
 * signed delivery goes to the configured URL or nowhere.
 */
export async function postSignedJson(
  url: string,
  rawBody: string,
  secret: string,
  opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<SendOutcome> {
  const { timeoutMs = 30_000, fetchImpl = fetch } = opts;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signCallback(secret, rawBody) },
      body: rawBody,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { kind: 'retry', error: `${url} unreachable: ${cause ?? (err as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  if (res.status === 404 || res.status === 410) return { kind: 'gone', status: res.status };
  return { kind: 'retry', error: `${url} answered HTTP ${res.status}: ${text.slice(0, 300)}` };
}

/**
 * Best-effort progress deliveries, so the backend's own status of the job
 * stays live: at most one every `minIntervalMs` within a stage, and one for
 * each stage that lasts `settleMs`, sent once it has; never more than one in
 * flight, never awaited by the pipeline. A lost one does not matter, the next
 * one or the final delivery supersedes it.
 *
 * Why a stage must last before it is posted: most stages of a short job are
 * over in tens of milliseconds (downloading a local file, a ready WAV's
 * extract, analysis, finalizing), and a person's page polls once a second
 * (apps/web useJobLifecycle), so their posts were never seen, yet each cost
 * the backend 5-7 ms of CPU at the moment the job needed it most: serving the
 * download that follows the first one, and taking the result that follows the
 * last ones, which close() also had to wait for.
 */
export class ProgressDelivery {
  readonly #send: (rawBody: string) => Promise<unknown>;
  readonly #jobId: string;
  readonly #minIntervalMs: number;
  readonly #settleMs: number;
  readonly #now: () => number;
  #lastSentAt = -Infinity;
  #sentStage: JobStage | null = null;
  #stage: JobStage | null = null;
  #stageSince = 0;
  #inFlight: Promise<void> | null = null;
  #pending: { stage: JobStage; progress: number; message: string } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = 0;
  #closed = false;

  constructor(opts: { jobId: string; send: (rawBody: string) => Promise<unknown>; minIntervalMs?: number; settleMs?: number; now?: () => number }) {
    this.#jobId = opts.jobId;
    this.#send = opts.send;
    this.#minIntervalMs = opts.minIntervalMs ?? 2000;
    this.#settleMs = opts.settleMs ?? DEFAULT_STAGE_SETTLE_MS;
    this.#now = opts.now ?? Date.now;
  }

  report(stage: JobStage, progress: number, message: string): void {
    if (this.#closed) return;
    if (stage !== this.#stage) {
      this.#stage = stage;
      this.#stageSince = this.#now();
    }
    this.#pending = { stage, progress, message };
    this.#maybeSend();
  }

  #maybeSend(): void {
    if (this.#closed || !this.#pending || this.#inFlight) return;
    // A new stage goes out once it has lasted settleMs, whenever the last post was; within a stage, the interval rules.
    const dueAt = this.#pending.stage !== this.#sentStage ? this.#stageSince + this.#settleMs : this.#lastSentAt + this.#minIntervalMs;
    const wait = dueAt - this.#now();
    if (wait > 0) {
      // Reports come with every download chunk and engine percent; the timer is set again only when a stage change moved the due time.
      if (this.#timer && this.#timerAt === dueAt) return;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timerAt = dueAt;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#maybeSend();
      }, wait);
      this.#timer.unref();
      return;
    }
    const { stage, progress, message } = this.#pending;
    this.#pending = null;
    this.#lastSentAt = this.#now();
    this.#sentStage = stage;
    this.#inFlight = this.#send(progressBody(this.#jobId, stage, progress, message))
      .then(
        () => undefined,
        () => undefined, // best effort by design; the final delivery is the one that is retried
      )
      .finally(() => {
        this.#inFlight = null;
        this.#maybeSend();
      });
  }

  /** Stops sending and waits for the one in flight, so it cannot land after the final delivery. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#pending = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
  }
}
