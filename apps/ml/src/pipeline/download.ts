import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '@ecg/service-kit';
import { classifyAddress, isAddressAllowed, isOriginAllowed, originOf } from '@ecg/net-policy';
import type { DownloadFailureDetails } from './download-failure.js';

export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface DownloadOptions {
  url: string;
  destPath: string;
  allowedOrigins: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
  /** DNS resolution; injectable so tests can play a rebinding resolver. */
  resolveHost?: ResolveHost;
  maxRedirects?: number;
  /** A connection silent this long (connecting or mid-body) fails with ETIMEDOUT; default 30 s. */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  bytes: number;
  finalUrl: string;
  contentType: string | undefined;
}

const defaultResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Streams `url` to `destPath`. Every hop (redirects are followed by hand, at
 * most `maxRedirects`) must be on an allow-listed origin, and the address we
 * connect to is the one we checked: DNS is resolved here and handed to the
 * socket through a fixed `lookup`, so a rebinding DNS server cannot swap in
 * 169.254.169.254 between the check and the connect. Size is limited both by
 * Content-Length up front and by counting while streaming (the header can lie).
 *
 * Codes: URL_NOT_ALLOWED (origin or address refused), FILE_TOO_LARGE (over
 * MAX_DOWNLOAD_BYTES; the person can act on that, so it gets its own code),
 * DOWNLOAD_ERROR (HTTP errors such as an expired 403/404 URL, network
 * failures, too many redirects, the time limit). A DOWNLOAD_ERROR's details
 * name the HTTP status or network error code (DownloadFailureDetails), which
 * is what downloadWithRetry judges. One attempt only; the partial file is
 * removed whatever the failure.
 */
export async function downloadToFile(opts: DownloadOptions): Promise<DownloadResult> {
  const { maxRedirects = 5, resolveHost = defaultResolve, idleTimeoutMs = 30_000 } = opts;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let url = opts.url;
  try {
    for (let hop = 0; ; hop++) {
      const target = await checkTarget(url, opts.allowedOrigins, resolveHost);
      const res = await get(target, signal, idleTimeoutMs);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= maxRedirects) throw new ServiceError('DOWNLOAD_ERROR', `more than ${maxRedirects} redirects while downloading the video`);
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        const hint = status === 403 || status === 404 ? ' (the download URL may have expired, or the file is gone)' : '';
        const details: DownloadFailureDetails = { status };
        throw new ServiceError('DOWNLOAD_ERROR', `storage answered HTTP ${status} for the video${hint}`, { details: details });
      }
      const declared = Number(res.headers['content-length']);
      const total = Number.isFinite(declared) && res.headers['content-length'] !== undefined ? declared : null;
      if (total !== null && total > opts.maxBytes) {
        res.destroy();
        throw tooLarge(opts.maxBytes);
      }
      const bytes = await streamToFile(res, opts.destPath, opts.maxBytes, total, signal, opts.onProgress);
      return { bytes, finalUrl: url, contentType: res.headers['content-type'] };
    }
  } catch (err) {
    await rm(opts.destPath, { force: true });
    if (err instanceof ServiceError) throw err;
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timeout.aborted) {
      throw new ServiceError('DOWNLOAD_ERROR', `the video did not download within ${Math.round(opts.timeoutMs / 1000)} s`, { status: 504 });
    }
    const code = (err as NodeJS.ErrnoException).code;
    const details: DownloadFailureDetails = code ? { errorCode: code } : {};
    throw new ServiceError('DOWNLOAD_ERROR', `could not download the video: ${code ?? (err as Error).message}`, { details: details });
  }
}

interface Target {
  url: URL;
  address: string;
  family: number;
}

function notAllowed(message: string): ServiceError {
  return new ServiceError('URL_NOT_ALLOWED', message);
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError('FILE_TOO_LARGE', `the video is larger than the ${maxBytes} bytes this service accepts (MAX_DOWNLOAD_BYTES)`, { details: { maxBytes } });
}

/** Checks the origin and picks an address the policy allows; throws URL_NOT_ALLOWED. */
export async function checkTarget(rawUrl: string, allowedOrigins: readonly string[], resolveHost: ResolveHost): Promise<Target> {
  const origin = originOf(rawUrl);
  if (origin === null) throw notAllowed('the video URL must be a plain http(s) URL');
  if (!isOriginAllowed(rawUrl, allowedOrigins)) {
    throw notAllowed(`downloads from ${origin} are not allowed (ML_ALLOWED_ORIGINS)`);
  }
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family !== 0) {
    if (!isAddressAllowed(host, host)) throw notAllowed(`${host} is a ${classifyAddress(host)} address; downloads from it are refused`);
    return { url, address: host, family };
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolveHost(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const details: DownloadFailureDetails = code ? { errorCode: code } : {};
    throw new ServiceError('DOWNLOAD_ERROR', `cannot resolve ${host}: ${code ?? (err as Error).message}`, { details: details });
  }
  const ok = addresses.find((a) => isAddressAllowed(a.address, host));
  if (!ok) {
    const seen = addresses.map((a) => `${a.address} (${classifyAddress(a.address)})`).join(', ') || 'nothing';
    throw notAllowed(`${host} resolves to ${seen}; downloads from such addresses are refused`);
  }
  return { url, address: ok.address, family: ok.family };
}

function get(target: Target, signal: AbortSignal, idleTimeoutMs: number): Promise<IncomingMessage> {
  // Node may ask with {all:true} (happy eyeballs); either way only the checked address is offered.
  const lookup = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  }) as unknown as LookupFunction;
  // agent: false, a fresh connection: one download per job gains nothing from keep-alive, and a pooled
  // socket the origin closed meanwhile (a restarted backend) would fail the next request with ECONNRESET.
  const options: RequestOptions = { method: 'GET', lookup, signal, agent: false, headers: { 'user-agent': 'ecg-ml', accept: '*/*' } };
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target.url, options, resolve);
    req.once('error', reject);
    // The socket's timeout also covers the body: the response stream errors with this once it goes quiet.
    req.setTimeout(idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no data from storage for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

async function streamToFile(
  res: IncomingMessage,
  destPath: string,
  maxBytes: number,
  total: number | null,
  signal: AbortSignal,
  onProgress: DownloadOptions['onProgress'],
): Promise<number> {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > maxBytes) return cb(tooLarge(maxBytes));
      onProgress?.(received, total);
      cb(null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(destPath, { mode: 0o600 }), { signal });
  if (total !== null && received < total) {
    const details: DownloadFailureDetails = { errorCode: 'TRUNCATED' };
    throw new ServiceError('DOWNLOAD_ERROR', `the download ended after ${received} of ${total} bytes`, { details: details });
  }
  return received;
}
