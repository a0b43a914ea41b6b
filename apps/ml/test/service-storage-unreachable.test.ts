/**
 * Storage unreachable during the download (issue 12, faults survived): the
 * real ML service retries the download for DOWNLOAD_RETRY_SECONDS, saying so
 * in the job's status, then fails the job with DOWNLOAD_ERROR and delivers
 * the failure; it never hangs in `processing`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { MlStatusResponse } from '@ecg/contracts';
import { requireWhisperCli } from './helpers/fixtures.js';
import { testModelPath } from './helpers/test-model.js';
import { makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, type RunningService } from './support/ml-service.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

/** A port nothing listens on: every connection to it is refused, as to a storage host that is down. */
async function closedPort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

describe('storage unreachable during the download', () => {
  let dataDir: string;
  let standIn: StandIn;
  let ml: RunningService;
  let storage: string;
  before(async () => {
    requireWhisperCli();
    dataDir = await makeDataDir();
    standIn = await startStandIn({ secret: SECRET });
    storage = `http://127.0.0.1:${await closedPort()}`;
    ml = await startService({
      DATA_DIR: dataDir,
      WHISPER_MODEL: await testModelPath('micro'),
      BACKEND_URL: standIn.origin,
      ML_ALLOWED_ORIGINS: `${standIn.origin},${storage}`,
      DOWNLOAD_RETRY_SECONDS: '3',
    });
  });
  after(async () => {
    await ml?.stop();
    await standIn?.close();
    await removeDir(dataDir);
  });

  it('retries, then fails the job with DOWNLOAD_ERROR and delivers the failure', async () => {
    const jobId = randomUUID();
    const res = await processVideo(ml.url, { job_id: jobId, video_url: `${storage}/videos/a.mp4`, language: 'en' });
    assert.equal(res.status, 200);
    const seen: MlStatusResponse[] = await pollUntilDone(ml.url, jobId, 100);
    const last = seen.at(-1)!;
    assert.equal(last.status, 'failed', JSON.stringify(last));
    assert.equal(last.error_code, 'DOWNLOAD_ERROR');
    assert.match(last.error_message ?? '', /retried/);
    assert.ok(
      seen.some((s) => s.status === 'processing' && /storage|retry|waiting/i.test(s.message)),
      `the status said it was retrying: ${JSON.stringify(seen.map((s) => s.message))}`,
    );
    const delivered = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'failed');
    assert.equal(delivered.verdict.ok, true, 'the failure delivery is signed');
    assert.equal(delivered.body.status, 'failed');
    assert.equal(delivered.body.error_code, 'DOWNLOAD_ERROR');
  });
});
