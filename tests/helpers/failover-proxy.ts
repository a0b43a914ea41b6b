/**
 * A real HTTP reverse proxy standing in for the load balancer in front of
 * several instances of one service: each request goes to the next upstream
 * in turn (round robin), and one that refuses the connection (its process is
 * gone) is skipped for the next, as a load balancer's health check would
 * take it out. A request already forwarded when its upstream dies is answered
 * 502, which is what a client behind a real load balancer sees too.
 * Request bodies are buffered (so a refused request can go to the next
 * upstream); responses are streamed back as they come.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface FailoverProxy {
  url: string;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, not the upstream's.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function forwardedHeaders(headers: IncomingHttpHeaders, bodyLength: number): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  out['content-length'] = String(bodyLength);
  return out;
}

export async function startFailoverProxy(upstreams: readonly string[]): Promise<FailoverProxy> {
  if (upstreams.length === 0) throw new Error('a failover proxy needs at least one upstream');
  const sockets = new Set<Socket>();
  let next = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const start = next;
      next = (next + 1) % upstreams.length;
      const attempt = (tried: number): void => {
        if (tried === upstreams.length) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream accepted the connection');
          return;
        }
        const upstream = new URL(upstreams[(start + tried) % upstreams.length]!);
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, agent: false, method: req.method, path: req.url, headers: forwardedHeaders(req.headers, body.length) },
          (upstreamRes) => {
            const headers = { ...upstreamRes.headers };
            for (const name of HOP_BY_HOP) delete headers[name];
            res.writeHead(upstreamRes.statusCode ?? 502, headers);
            upstreamRes.pipe(res);
            upstreamRes.on('error', () => res.destroy());
          },
        );
        out.on('error', (err: NodeJS.ErrnoException) => {
          // Refused: nothing was sent, so the next upstream may take it. Anything else happened mid-request.
          if (err.code === 'ECONNREFUSED') return attempt(tried + 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream failed: ${err.code ?? err.message}`);
          else res.destroy();
        });
        out.end(body);
      };
      attempt(0);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
