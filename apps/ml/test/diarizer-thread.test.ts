/**
 * The diarizer on its own worker thread (diarizer-thread.ts): the same
 * answer as in-process (the analysis pitch track's too), its error codes carried across, a cancel that
 * reaches it, a thread that dies failing its requests instead of
 * leaving them waiting, and (Linux) a thread at the lowest priority while
 * the rest of the service keeps its own.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '@ecg/service-kit';
import { trackPitch } from '../src/analysis/pitch-track.js';
import { diarize } from '../src/diarization/diarize.js';
import { createDiarizerThread, type DiarizerThread } from '../src/diarization/diarizer-thread.js';
import { lowerThisThreadPriority } from '../src/diarization/lower-thread-priority.js';
import { JFK_WAV } from './helpers/fixtures.js';
import { concatWav } from './helpers/media.js';

describe('the diarizer thread', () => {
  let work: string;
  let long: string;
  let thread: DiarizerThread;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecg-diarizer-thread-'));
    long = join(work, 'jfk-x6.wav');
    await concatWav(JFK_WAV, 6, long);
    thread = createDiarizerThread();
    await thread.warm();
  });
  after(async () => {
    await thread?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('answers what the diarizer answers in-process, for requests at once', async () => {
    const [here, a, b] = await Promise.all([diarize({ wavPath: long }), thread.diarize({ wavPath: long }), thread.diarize({ wavPath: JFK_WAV, numSpeakers: 2 })]);
    assert.deepEqual(a, here);
    assert.equal(b.speakers.length, 2, 'each request keeps its own options');
  });

  it('measures the analysis pitch track as in-process, beside a diarization', async () => {
    const regions = [{ start: 0.3, end: 2.15 }];
    const [here, there] = await Promise.all([trackPitch({ wavPath: long, regions }), thread.trackPitch({ wavPath: long, regions }), thread.diarize({ wavPath: long })]);
    assert.deepEqual(there, here);
    assert.ok(there.computed.includes(1) && there.computed.includes(0), 'the regions were carried across');
    await assert.rejects(thread.trackPitch({ wavPath: long, signal: AbortSignal.abort() }), (err) => isServiceError(err) && err.code === 'CANCELLED');
  });

  it('carries the error code across', async () => {
    await assert.rejects(thread.diarize({ wavPath: join(work, 'missing.wav') }), (err) => isServiceError(err) && err.code === 'AUDIO_EXTRACTION_ERROR');
    await assert.rejects(thread.diarize({ wavPath: JFK_WAV, minSpeakers: 3, maxSpeakers: 2 }), (err) => isServiceError(err) && err.code === 'VALIDATION_ERROR');
  });

  it('stops a request when its signal aborts, and refuses one aborted already', async () => {
    const abort = new AbortController();
    const running = thread.diarize({ wavPath: long, signal: abort.signal });
    setTimeout(() => abort.abort(), 5);
    await assert.rejects(running, (err) => isServiceError(err) && err.code === 'CANCELLED');
    await assert.rejects(thread.diarize({ wavPath: long, signal: AbortSignal.abort() }), (err) => isServiceError(err) && err.code === 'CANCELLED');
    // The thread is still good for the next request.
    assert.ok((await thread.diarize({ wavPath: JFK_WAV })).speakers.length >= 1);
  });

  it('runs at the lowest priority on Linux, and only that thread does', () => {
    // Linux (/proc), as CI is. Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (man 5 proc); the name field may hold spaces.
    const nices = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
    const own = getPriority();
    assert.equal(thread.runsAtLowPriority(), true, 'the thread says it was lowered');
    assert.equal(nices.filter((n) => n === 19).length, own === 19 ? nices.length : 1, `one thread at nice 19 (nices: ${nices.join(' ')})`);
    assert.equal(getPriority(), own, 'this thread (the service’s main thread) keeps its priority');
  });

  it('does not lower anything on other platforms, where the call would lower the whole process', () => {
    assert.equal(lowerThisThreadPriority('darwin'), false);
    assert.equal(lowerThisThreadPriority('win32'), false);
  });

  it('fails the requests of a thread that died with INTERNAL_ERROR, and starts a new one for the next', async () => {
    const dying = createDiarizerThread(new URL('./support/dying-diarizer-entry.mjs', import.meta.url));
    try {
      await dying.warm();
      for (let i = 0; i < 2; i++) {
        await assert.rejects(dying.diarize({ wavPath: JFK_WAV }), (err) => isServiceError(err) && err.code === 'INTERNAL_ERROR' && /exit code 3/.test(err.message));
      }
    } finally {
      await dying.close();
    }
  });
});
