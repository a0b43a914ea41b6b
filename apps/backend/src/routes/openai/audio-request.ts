import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, MlModelsResponse } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { requireUser } from '../../auth/principal.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { uploadFileName } from '../../storage/keys.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { readAudioFields } from './audio-fields.js';
import { audioAnswer } from './audio-response.js';
import { isKnownModel, WHISPER_1 } from './ml-models.js';
import { fieldError } from './openai-errors.js';
import { receiveAudioForm } from './receive-audio-form.js';
import { waitForJob } from './wait-for-job.js';

export interface AudioRouteOptions {
  storage: Pick<ObjectStorage, 'write' | 'delete'>;
  jobs: Pick<JobRepository, 'createOrGetLive' | 'get'>;
  maxUploadBytes: number;
  /** Wakes the dispatcher, as request-process does. */
  kickDispatcher: () => void;
  /** OPENAI_SYNC_TIMEOUT_SECONDS. */
  syncTimeoutSeconds: number;
  /** The ML service's installed models, to check `model` against. */
  installedModels: () => Promise<MlModelsResponse>;
  /** Pause between reads of the job while waiting; default 250 ms. */
  pollMs?: number;
  /** Aborts when the server shuts down: waits end then, so a restart never sits out OPENAI_SYNC_TIMEOUT_SECONDS. */
  closing?: AbortSignal;
}

/** The HTTP status of a job that failed with `code`: the file's fault is the client's (400), the rest the server's. */
export function failureStatus(code: ErrorCode | null): number {
  switch (code) {
    case 'UNSUPPORTED_MEDIA':
    case 'NO_AUDIO_TRACK':
    case 'MEDIA_DECODE_ERROR':
    case 'AUDIO_EXTRACTION_ERROR':
    case 'MEDIA_TOO_LONG':
      return 400;
    case 'PROCESSING_TIMEOUT':
      return 504;
    case 'MODEL_UNAVAILABLE':
    case 'INSUFFICIENT_RESOURCES':
      return 503;
    default:
      return 500;
  }
}

/**
 * One synchronous transcription or translation: the file goes to storage
 * under an upload key, the job is made by the same repository call as
 * request-process (so it runs the same pipeline under the same limits and
 * shows in the job list), the dispatcher is woken, and the answer waits
 * for the job to end. A wait that runs out answers 504 RESULT_WAIT_TIMEOUT
 * and leaves the job running. Answers a retry could not change carry
 * `x-should-retry: false`: the official client retries 5xx on its own, and
 * each retry would upload and transcribe the file again.
 */
export async function answerAudioRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  task: 'transcribe' | 'translate',
  opts: AudioRouteOptions,
): Promise<FastifyReply> {
  const ownerId = requireUser(request).userId;
  const { fileKey, fields } = await receiveAudioForm(request, { storage: opts.storage, maxUploadBytes: opts.maxUploadBytes, ownerId });
  let audio;
  try {
    audio = readAudioFields(fields, task);
    if (audio.model !== WHISPER_1 && !isKnownModel(audio.model, await opts.installedModels())) {
      throw fieldError('model', 'VALIDATION_ERROR', 400, `model "${audio.model}" is not installed; GET /v1/models lists the ones that are (or use whisper-1)`);
    }
  } catch (err) {
    // No job will ever read the file: it goes now.
    await opts.storage.delete(fileKey).catch((e: unknown) => request.log.warn({ err: e, fileKey }, 'could not delete a refused upload'));
    throw err;
  }

  const { job, created } = await opts.jobs.createOrGetLive(fileKey, {
    ownerId,
    language: audio.language ?? null,
    fileName: uploadFileName(fileKey),
    jobOptions: audio.decode,
  });
  if (created) opts.kickDispatcher();
  request.log.info({ jobId: job.id, fileKey, task, model: audio.model }, 'OpenAI-compatible job queued; waiting for it');

  // The response's 'close' before it is sent means the client went away.
  const gone = new AbortController();
  const onClose = () => gone.abort();
  reply.raw.once('close', onClose);
  let outcome;
  try {
    outcome = await waitForJob(job.id, {
      jobs: opts.jobs,
      timeoutMs: opts.syncTimeoutSeconds * 1000,
      pollMs: opts.pollMs ?? 250,
      signal: opts.closing ? AbortSignal.any([gone.signal, opts.closing]) : gone.signal,
    });
  } finally {
    reply.raw.off('close', onClose);
  }
  reply.header('x-ecg-job-id', job.id);
  if (outcome.kind === 'abandoned' && opts.closing?.aborted && !gone.signal.aborted) {
    reply.header('x-should-retry', 'false');
    throw new ServiceError(
      'RESULT_WAIT_TIMEOUT',
      `the server is shutting down; job ${job.id} goes on: read it at /api/upload-video/result/${job.id}`,
      { status: 503, details: { job_id: job.id } },
    );
  }
  if (outcome.kind === 'abandoned') {
    request.log.info({ jobId: job.id }, 'the client left before its job ended; the job runs on');
    // Nobody reads this (nginx's "client closed request"); it only ends the request for Fastify.
    return reply.code(499).send();
  }
  if (outcome.kind === 'timed-out') {
    reply.header('x-should-retry', 'false');
    throw new ServiceError(
      'RESULT_WAIT_TIMEOUT',
      `job ${job.id} did not finish within ${opts.syncTimeoutSeconds} s (OPENAI_SYNC_TIMEOUT_SECONDS); it goes on: read it at /api/upload-video/result/${job.id}`,
      { details: { job_id: job.id } },
    );
  }
  const ended = outcome.job;
  if (ended.status === 'failed') {
    reply.header('x-should-retry', 'false');
    const code = ended.errorCode ?? 'INTERNAL_ERROR';
    throw new ServiceError(code, ended.errorMessage ?? `job ${ended.id} failed`, { status: failureStatus(code), details: { param: failureStatus(code) === 400 ? 'file' : undefined } });
  }
  const answer = audioAnswer(ended, { task, format: audio.format, granularities: audio.granularities, temperature: audio.decode.temperature });
  return reply.header('content-type', answer.contentType).send(answer.body);
}
