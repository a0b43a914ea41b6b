/**
 * A local HTTP server playing storage (serves files, can redirect) and the
 * backend (takes result deliveries and checks their signature with the real
 * `verifyCallback`). Integration tests point the ML service at it.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER } from '@ecg/contracts';
import { verifyCallback, type CallbackVerdict } from '@ecg/signing';

export interface Delivery {
  body: Record<string, unknown>;
  raw: string;
  verdict: CallbackVerdict;
}

export interface StandIn {
  origin: string;
  port: number;
  /** Serves `path` at `/files/<name>`. */
  serve(name: string, path: string): string;
  /** `/redirect/<name>` answers 302 to `location`. */
  redirect(name: string, location: string): string;
  deliveries: Delivery[];
  /** Resolves with the first delivery matching `pred` (polls; the caller's test timeout bounds it). */
  waitForDelivery(pred: (d: Delivery) => boolean): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startStandIn(opts: { secret: string; port?: number; resultStatus?: number }): Promise<StandIn> {
  const files = new Map<string, string>();
  const redirects = new Map<string, string>();
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const path = files.get(url.pathname.slice('/files/'.length));
      if (!path) return void res.writeHead(404).end('no such object');
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': statSync(path).size });
      return void createReadStream(path).pipe(res);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/redirect/')) {
      const to = redirects.get(url.pathname.slice('/redirect/'.length));
      return void res.writeHead(to ? 302 : 404, to ? { location: to } : {}).end();
    }
    if (req.method === 'POST' && url.pathname === '/api/upload-video/result') {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        const verdict = verifyCallback(
          opts.secret,
          raw,
          req.headers[CALLBACK_TIMESTAMP_HEADER] as string | undefined,
          req.headers[CALLBACK_SIGNATURE_HEADER] as string | undefined,
        );
        deliveries.push({ body: JSON.parse(raw) as Record<string, unknown>, raw, verdict });
        const status = verdict.ok ? (opts.resultStatus ?? 200) : 401;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'received' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    deliveries,
    serve(name, path) {
      files.set(name, path);
      return `${origin}/files/${name}`;
    },
    redirect(name, location) {
      redirects.set(name, location);
      return `${origin}/redirect/${name}`;
    },
    async waitForDelivery(pred) {
      for (;;) {
        const hit = deliveries.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
