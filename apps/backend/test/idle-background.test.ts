import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBackgroundWork } from '../src/app.js';
import { JobRepository } from '../src/jobs/job-repository.js';
import { MlStandIn } from './helpers/ml-stand-in.js';
import { freePort, startTestBackend, type TestBackend } from './helpers/test-backend.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INTERVAL_MS = 20;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * The background loops on the embedded database (PGlite): idle, they ask
 * the database nothing; work stored without a kick (as another backend on the
 * same database would store it) or whose time comes is still taken up
 * within the interval.
 */
describe('background loops on an idle PGlite backend', () => {
  let b: TestBackend;
  const ml = new MlStandIn();
  let statements = 0;

  before(async () => {
    const mlPort = await freePort();
    await ml.listen(mlPort);
    b = await startTestBackend({
      env: {
        ML_URL: `http://127.0.0.1:${mlPort}`,
        DISPATCH_INTERVAL_MS: String(INTERVAL_MS),
        RENDER_POLL_INTERVAL_MS: String(INTERVAL_MS),
        WEBHOOK_INTERVAL_MS: String(INTERVAL_MS),
        // No maintenance pass during the test: it is the one thing an idle backend still runs.
        QUEUE_MAINTENANCE_SECONDS: '3600',
        JOB_TIMEOUT_SECONDS: '2',
      },
    });
    startBackgroundWork(b.app, b.config.role);
    // A spy on the real database object the app holds: every statement and read it issues is counted.
    const db = b.db;
    const query = db.query.bind(db);
    const peek = db.peek.bind(db);
    const quiet = db.quiet.bind(db);
    db.query = ((sql: string, params?: readonly unknown[]) => ((statements += 1), query(sql, params))) as typeof db.query;
    db.peek = ((sql: string, params?: readonly unknown[]) => ((statements += 1), peek(sql, params))) as typeof db.peek;
    db.quiet = ((sql: string, params?: readonly unknown[]) => ((statements += 1), quiet(sql, params))) as typeof db.quiet;
  });
  after(async () => {
    await b?.destroy();
    await ml.close();
  });

  it('issues no query at all for many intervals while there is nothing to do', async () => {
    // The first ticks after start run in full, and each asks once more after its own writes.
    await sleep(20 * INTERVAL_MS);
    statements = 0;
    await sleep(25 * INTERVAL_MS);
    assert.equal(statements, 0, 'three loops, 25 intervals each, and not one statement');
  });

  it('delivers a job stored without a kick within the dispatch interval', async () => {
    const jobs = new JobRepository(b.db);
    const { job } = await jobs.createOrGetLive('uploads/anonymous/not-kicked/video.mp4');
    await until('its delivery to the ML service', async () =>
      ml.processRequests.some((r) => (JSON.parse(r.body) as { job_id: string }).job_id === job.id) ? true : undefined,
    );
    await until('it to be processing', async () => ((await jobs.get(job.id))?.status === 'processing' ? true : undefined));
  });

  it('times a job out when its time comes, with nothing stored in between', async () => {
    const jobs = new JobRepository(b.db);
    const { job } = await jobs.createOrGetLive('uploads/anonymous/times-out/video.mp4');
    await until('it to be processing', async () => ((await jobs.get(job.id))?.status === 'processing' ? true : undefined));
    // JOB_TIMEOUT_SECONDS=2 from its creation; the loop knows that time and asks again only then.
    const failed = await until('the timeout', async () => {
      const j = await jobs.get(job.id);
      return j?.status === 'failed' ? j : undefined;
    });
    assert.equal(failed.errorCode, 'PROCESSING_TIMEOUT');
  });
});
