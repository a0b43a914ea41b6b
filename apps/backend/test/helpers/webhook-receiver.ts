import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { WebhookEvent, type TranscriptResult } from '@ecg/contracts';
import { freePort, waitFor } from './test-backend.js';

/** The result the webhook tests complete their jobs with. */
export const WEBHOOK_TEST_RESULT: TranscriptResult = {
  language: 'en',
  duration: 1,
  text: 'Hello.',
  segments: [{ id: 0, start: 0, end: 1, text: 'Hello.', words: [{ word: 'Hello.', start: 0, end: 1, probability: 0.9 }] }],
};

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A real HTTP receiver on 127.0.0.1 that records every POST and answers the statuses it is told (`replies`), then 200. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  replies: number[] = [];
  private server: Server | undefined;
  port = 0;

  async listen(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = this.replies.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The webhook received for `jobId`, once it has come. */
  async eventFor(jobId: string): Promise<ReceivedWebhook> {
    return waitFor(`the webhook of job ${jobId}`, async () => this.received.find((r) => WebhookEvent.parse(JSON.parse(r.raw)).job_id === jobId));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
