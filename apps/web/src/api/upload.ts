import { ErrorBody, type GenerateUrlResponse } from '@ecg/contracts';
import { ApiError } from './http.js';

export interface UploadProgress {
  sent: number;
  total: number;
  /** Bytes per second over the last few seconds; 0 until measurable. */
  bytesPerSecond: number;
}

// Headers a page may not set on XMLHttpRequest; the browser sets them itself.
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'expect', 'origin', 'referer']);
const SPEED_WINDOW_MS = 3000;

/**
 * PUTs the file to the presigned URL with every header the backend signed
 * (Content-Type, and If-None-Match on S3: leaving one out fails the signature).
 * XMLHttpRequest rather than fetch: fetch still cannot report upload progress.
 */
export function uploadFile(
  file: Blob,
  target: GenerateUrlResponse,
  onProgress: (p: UploadProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const samples: Array<{ at: number; sent: number }> = [];
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) {
      if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      const now = performance.now();
      samples.push({ at: now, sent: e.loaded });
      while (samples.length > 2 && now - samples[0]!.at > SPEED_WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const elapsed = (now - first.at) / 1000;
      const bytesPerSecond = elapsed > 0.2 ? (e.loaded - first.sent) / elapsed : 0;
      onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : file.size, bytesPerSecond });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve();
        return;
      }
      let parsed: ReturnType<typeof ErrorBody.safeParse> | null = null;
      try {
        parsed = ErrorBody.safeParse(JSON.parse(xhr.responseText));
      } catch {
        parsed = null; // S3 answers XML; its message is not for people anyway
      }
      reject(
        parsed?.success
          ? new ApiError(parsed.data.error.code, parsed.data.error.message, xhr.status)
          : storageFailure(xhr.status),
      );
    };
    xhr.onerror = () => reject(new ApiError('UPLOAD_FAILED', 'network error during upload'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/**
 * S3's XML answers as the error codes the local driver sends. The upload URL
 * is a conditional write (If-None-Match: *): 412 means its key already holds
 * an object, 409 that another PUT to it was in flight; both say "this link was
 * used", and uploading again (a new link) is the way on.
 */
function storageFailure(status: number): ApiError {
  if (status === 412 || status === 409) return new ApiError('OBJECT_ALREADY_EXISTS', `storage answered HTTP ${status}: the upload link was already used`, status);
  return new ApiError('UPLOAD_FAILED', `storage answered HTTP ${status}`, status);
}
