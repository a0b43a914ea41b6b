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
 * PUTs the file to the presigned URL with the headers the backend signed.
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
          : new ApiError('UPLOAD_FAILED', `storage answered HTTP ${xhr.status}`, xhr.status),
      );
    };
    xhr.onerror = () => reject(new ApiError('UPLOAD_FAILED', 'network error during upload'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
