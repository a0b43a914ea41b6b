import {
  CaptionDocument,
  ClientConfigResponse,
  GenerateUrlResponse,
  JobListResponse,
  JobResultResponse,
  JobSummary,
  MediaUrlResponse,
  MlStatusResponse,
  RenderJob,
  RequestProcessResponse,
  SaveCaptionsResponse,
  ThumbnailsResponse,
  WaveformJson,
  type Caption,
  type CaptionLayoutRequest,
  type CaptionProfileName,
  type CaptionSpeaker,
  type GenerateUrlRequest,
  type LanguageCode,
  type RenderRequest,
  type SpeakerCountOptions,
} from '@ecg/contracts';
import { NO_BODY, requestFile, requestJson, type ApiError, type FileReply } from './http.js';

const enc = encodeURIComponent;

let configPromise: Promise<ClientConfigResponse> | null = null;

/**
 * `GET /api/config`, once per page load. A backend without the route (or a
 * failed call) means "poll the backend for status" with no size hint.
 */
export function getClientConfig(): Promise<ClientConfigResponse> {
  configPromise ??= requestJson('/api/config', ClientConfigResponse)
    .then((r) => r.body)
    .catch((): ClientConfigResponse => ({ ml_public_url: null }));
  return configPromise;
}

export async function generateUploadUrl(body: GenerateUrlRequest, signal?: AbortSignal): Promise<GenerateUrlResponse> {
  return (await requestJson('/api/upload-video/generate-url', GenerateUrlResponse, { method: 'POST', json: body, signal })).body;
}

/**
 * Starts the job; `profile` (a name or a layout request) says how the first
 * captions are laid out, else the language decides; `speakers` how many
 * speakers to look for (empty: found from the audio).
 */
export async function requestProcess(
  fileKey: string,
  language: LanguageCode | undefined,
  profile?: CaptionProfileName | CaptionLayoutRequest,
  speakers: SpeakerCountOptions = {},
): Promise<RequestProcessResponse> {
  const json = {
    fileKey,
    ...(language === undefined || language === 'auto' ? {} : { language }),
    ...(profile === undefined ? {} : { profile }),
    ...speakers,
  };
  return (await requestJson('/api/upload-video/request-process', RequestProcessResponse, { method: 'POST', json })).body;
}

/** Status from a base URL: '' is the backend (same origin), else the ML service's public URL. */
export async function getStatus(base: string, jobId: string, signal?: AbortSignal): Promise<MlStatusResponse> {
  const url = `${base.replace(/\/+$/, '')}/api/upload-video/status/${enc(jobId)}`;
  return (await requestJson(url, MlStatusResponse, { signal, cache: 'no-store' })).body;
}

export async function getResult(jobId: string, signal?: AbortSignal): Promise<JobResultResponse> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}`, JobResultResponse, { signal, cache: 'no-store' })).body;
}

export async function getCaptions(jobId: string): Promise<CaptionDocument> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/captions`, CaptionDocument, { cache: 'no-store' })).body;
}

/** Saves the captions; `layout` when the save changes it, `speakers` (their names) when there are any. */
export async function saveCaptions(
  jobId: string,
  baseVersion: number,
  captions: Caption[],
  layout?: CaptionLayoutRequest,
  speakers?: readonly CaptionSpeaker[],
): Promise<SaveCaptionsResponse> {
  const json = { base_version: baseVersion, captions, ...(layout ? { layout } : {}), ...(speakers ? { speakers } : {}) };
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}`, SaveCaptionsResponse, { method: 'PUT', json })).body;
}

export async function restoreCaptions(jobId: string, baseVersion: number): Promise<CaptionDocument> {
  const json = { base_version: baseVersion };
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/restore`, CaptionDocument, { method: 'POST', json })).body;
}

/**
 * Lays the saved captions out again under `layout` (text edits kept) and
 * saves them as a new version; answers that document. VERSION_CONFLICT when
 * `baseVersion` is no longer current, as for a save.
 */
export async function reflowCaptions(jobId: string, baseVersion: number, layout: CaptionLayoutRequest): Promise<CaptionDocument> {
  const json = { base_version: baseVersion, ...layout };
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/captions/reflow`, CaptionDocument, { method: 'POST', json })).body;
}

export async function getMedia(jobId: string): Promise<MediaUrlResponse> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/media`, MediaUrlResponse)).body;
}

/** The audio overview for the editor's waveform; NOT_FOUND when the job has none (transcribed before waveforms were kept). */
export async function getWaveform(jobId: string, signal?: AbortSignal): Promise<WaveformJson> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/waveform`, WaveformJson, { signal })).body;
}

/** One thumbnail per shot, tiled in a sprite; NOT_FOUND for audio-only media and for jobs analysed before thumbnails were kept. */
export async function getThumbnails(jobId: string, signal?: AbortSignal): Promise<ThumbnailsResponse> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/thumbnails`, ThumbnailsResponse, { signal })).body;
}

/** Where the backend serves the ASS export (a download, so a link rather than a fetch). */
export function assExportUrl(jobId: string, expressive: boolean, strength: number): string {
  const q = new URLSearchParams({ format: 'ass', expressive: String(expressive), strength: String(strength) });
  return `/api/upload-video/result/${enc(jobId)}/export?${q.toString()}`;
}

/** The ASS file as the server writes it from the saved captions. */
export function getAssExport(jobId: string, expressive: boolean, strength: number): Promise<FileReply> {
  return requestFile(assExportUrl(jobId, expressive, strength));
}

/** Starts burning the saved captions into the video (202 with the queued render). */
export async function startRender(jobId: string, body: RenderRequest): Promise<RenderJob> {
  return (await requestJson(`/api/upload-video/result/${enc(jobId)}/render`, RenderJob, { method: 'POST', json: body })).body;
}

export async function getRender(jobId: string, renderId: string, signal?: AbortSignal): Promise<RenderJob> {
  const url = `/api/upload-video/result/${enc(jobId)}/render/${enc(renderId)}`;
  return (await requestJson(url, RenderJob, { signal, cache: 'no-store' })).body;
}

export async function listJobs(limit: number): Promise<JobListResponse> {
  return (await requestJson(`/api/upload-video/jobs?limit=${limit}`, JobListResponse, { cache: 'no-store' })).body;
}

/** One job's summary: its expiry (RETENTION_DAYS) and the bytes it keeps in storage. */
export async function getJobSummary(jobId: string, signal?: AbortSignal): Promise<JobSummary> {
  return (await requestJson(`/api/upload-video/jobs/${enc(jobId)}`, JobSummary, { cache: 'no-store', signal })).body;
}

/** Deletes the job with its video, captions and renders (204; NOT_FOUND when it is already gone). */
export async function deleteJob(jobId: string): Promise<void> {
  await requestJson(`/api/upload-video/jobs/${enc(jobId)}`, NO_BODY, { method: 'DELETE' });
}

/**
 * Stops a queued or running job: it ends failed with CANCELLED. Answers the
 * job as it is now; one that already ended is answered unchanged
 * (NOT_FOUND when it is gone or another user's).
 */
export async function cancelJob(jobId: string): Promise<JobSummary> {
  return (await requestJson(`/api/upload-video/jobs/${enc(jobId)}/cancel`, JobSummary, { method: 'POST', cache: 'no-store' })).body;
}

/** The current version from a 409 VERSION_CONFLICT, when the server said it. */
export function conflictVersion(err: ApiError): number | undefined {
  const d = err.details;
  if (typeof d === 'object' && d !== null && 'current_version' in d && typeof d.current_version === 'number') {
    return d.current_version;
  }
  return undefined;
}
