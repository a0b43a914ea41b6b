import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { bareHost, checkResolvedAddresses, checkUserUrl } from '@ecg/net-policy';
import type { AttemptOutcome } from './delivery-verdict.js';

export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const defaultResolveHost: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface PostWebhookOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowedOrigins: readonly string[];
  resolveHost: ResolveHost;
  timeoutMs: number;
}

/**
 * One POST of a webhook. The URL is checked again here (it was checked at
 * request-process, but WEBHOOK_ALLOWED_ORIGINS may have changed since), the
 * host resolved here, every address it resolves to checked, and the socket
 * handed the checked address through a fixed `lookup`, so a rebinding DNS
 * server cannot swap in an internal address between check and connect.
 * Redirects are not followed: a receiver answering 3xx is retried like a 5xx.
 */
export async function postWebhook(opts: PostWebhookOptions): Promise<AttemptOutcome> {
  const verdict = checkUserUrl(opts.url, opts.allowedOrigins);
  if (!verdict.ok) return { kind: 'refused', reason: verdict.reason };
  const host = bareHost(verdict.url);
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await opts.resolveHost(host);
    } catch (err) {
      return { kind: 'unreachable', reason: `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
  const target = checkResolvedAddresses(host, addresses, verdict.allowListed);
  if (!target.ok) return { kind: 'refused', reason: target.reason };

  // Node may ask with {all:true} (happy eyeballs); either way only the checked address is offered.
  const lookup = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  }) as unknown as LookupFunction;
  const options: RequestOptions = {
    method: 'POST',
    lookup,
    agent: false,
    signal: AbortSignal.timeout(opts.timeoutMs),
    headers: {
      ...opts.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(opts.body)),
      'user-agent': 'ecg-webhooks',
    },
  };
  const send = verdict.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    const req = send(verdict.url, options, (res) => {
      // The answer's body means nothing to us; drain it so the socket closes.
      res.resume();
      resolve({ kind: 'answered', status: res.statusCode ?? 0 });
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      resolve({ kind: 'unreachable', reason: err.name === 'AbortError' ? `no answer within ${opts.timeoutMs} ms` : (err.code ?? err.message) });
    });
    req.end(opts.body);
  });
}
