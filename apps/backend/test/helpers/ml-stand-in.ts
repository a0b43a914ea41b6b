import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface StandInRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type StandInReply = { status: number; body?: unknown };

/**
 * A stand-in for the ML service (not the real one): a plain HTTP server that
 * records what the backend sends and answers as the test says. The real ML
 * service has its own tests; here only the backend's side of the wire matters.
 */
export class MlStandIn {
  readonly requests: StandInRequest[] = [];
  /** How to answer `POST /api/upload-video/process-video`. */
  onProcess: (req: StandInRequest) => StandInReply | Promise<StandInReply> = (req) => ({
    status: 202,
    body: { job_id: (JSON.parse(req.body) as { job_id: string }).job_id, status: 'queued' },
  });
  /** How to answer `GET /api/upload-video/status/:id`. */
  onStatus: (jobId: string) => StandInReply = () => ({ status: 404, body: { error: { code: 'JOB_NOT_FOUND', message: 'unknown job' } } });
  private server: Server | undefined;

  get processRequests(): StandInRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.url === '/api/upload-video/process-video');
  }

  async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const record: StandInRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(record);
        const status = /^\/api\/upload-video\/status\/([^/]+)$/.exec(record.url);
        void Promise.resolve(
          record.method === 'POST' && record.url === '/api/upload-video/process-video'
            ? this.onProcess(record)
            : status?.[1]
              ? this.onStatus(decodeURIComponent(status[1]))
              : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no route' } } },
        ).then((reply) => {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
