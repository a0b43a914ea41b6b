import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CatalogModel } from './model-catalog.js';

export interface DownloadProgress {
  received: number;
  total: number | null;
  bytesPerSecond: number;
}

export class ModelDownloadError extends Error {}

/**
 * Streams a model to `<dir>/<file>` through a temp file, checks its SHA-1 when
 * whisper.cpp publishes one, and renames it into place only when complete: a
 * failed or interrupted download never leaves a file the service would load.
 */
export async function downloadModel(
  model: CatalogModel,
  dir: string,
  opts: { fetch?: typeof fetch; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, model.file);
  const tmp = `${target}.download-${process.pid}`;
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(model.url, { redirect: 'follow', signal: opts.signal ?? null });
  } catch (err) {
    throw new ModelDownloadError(`cannot reach ${new URL(model.url).host} (${(err as Error).cause ?? (err as Error).message})`);
  }
  if (!res.ok || !res.body) throw new ModelDownloadError(`${model.url} answered HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || null;
  const hash = createHash('sha1');
  const started = Date.now();
  let received = 0;
  let lastReport = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      hash.update(chunk);
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        opts.onProgress?.({ received, total, bytesPerSecond: received / Math.max(0.001, (now - started) / 1000) });
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), meter, createWriteStream(tmp));
    opts.onProgress?.({ received, total, bytesPerSecond: received / Math.max(0.001, (Date.now() - started) / 1000) });
    if (total !== null && received !== total) throw new ModelDownloadError(`download ended early (${received} of ${total} bytes)`);
    const digest = hash.digest('hex');
    if (model.sha1 && digest !== model.sha1) {
      throw new ModelDownloadError(`checksum mismatch for ${model.file}: got sha1 ${digest}, expected ${model.sha1}`);
    }
    await rename(tmp, target);
    return target;
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof ModelDownloadError) throw err;
    throw new ModelDownloadError(`download of ${model.file} failed: ${(err as Error).message}`);
  }
}

export function formatProgress(p: DownloadProgress): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const pct = p.total ? `${((100 * p.received) / p.total).toFixed(0).padStart(3)}% ` : '';
  const bar = p.total ? `[${'#'.repeat(Math.round((20 * p.received) / p.total)).padEnd(20, '.')}] ` : '';
  return `${bar}${pct}${mb(p.received)}${p.total ? `/${mb(p.total)}` : ''} MB at ${mb(p.bytesPerSecond)} MB/s`;
}
