import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findMediaTools, findOnPath, isExecutable, MediaToolsError, requireMediaTools } from '../src/index.js';

/** Writes a fake tool: a shell script that only says what it is. */
async function fakeTool(path: string, mode = 0o755): Promise<string> {
  await writeFile(path, `#!/bin/sh\necho "fake ${path}"\n`);
  await chmod(path, mode);
  return path;
}

describe('finding ffmpeg and ffprobe: FFMPEG_PATH/FFPROBE_PATH, else PATH, else the caller’s fallback', () => {
  let dir: string;
  let fakeBin: string; // ffmpeg + ffprobe, a pair
  let fakeOnlyFfmpeg: string; // ffmpeg without an ffprobe beside it
  let fakeOnlyFfprobe: string;
  let fakeOptFfmpeg: string; // what FFMPEG_PATH points at
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-media-find-'));
    fakeBin = join(dir, 'fake-bin');
    fakeOnlyFfmpeg = join(dir, 'fake-only-ffmpeg');
    fakeOnlyFfprobe = join(dir, 'fake-only-ffprobe');
    for (const d of [fakeBin, fakeOnlyFfmpeg, fakeOnlyFfprobe, join(dir, 'fake-opt')]) await mkdir(d);
    await fakeTool(join(fakeBin, 'ffmpeg'));
    await fakeTool(join(fakeBin, 'ffprobe'));
    await fakeTool(join(fakeOnlyFfmpeg, 'ffmpeg'));
    await fakeTool(join(fakeOnlyFfprobe, 'ffprobe'));
    fakeOptFfmpeg = await fakeTool(join(dir, 'fake-opt', 'ffmpeg'));
    await fakeTool(join(dir, 'fake-opt', 'ffprobe'));
    await fakeTool(join(dir, 'fake-not-executable'), 0o644);
    await mkdir(join(dir, 'fake-dir-bin', 'ffmpeg'), { recursive: true }); // a directory named ffmpeg
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('an executable is a file with the x bit: not a directory, not a plain file, not a missing path', () => {
    assert.equal(isExecutable(join(fakeBin, 'ffmpeg')), true);
    assert.equal(isExecutable(join(dir, 'fake-dir-bin', 'ffmpeg')), false);
    assert.equal(isExecutable(join(dir, 'fake-not-executable')), false);
    assert.equal(isExecutable(join(dir, 'nothing-here')), false);
    assert.equal(findOnPath('ffmpeg', `${join(dir, 'fake-dir-bin')}:${fakeOnlyFfmpeg}`), join(fakeOnlyFfmpeg, 'ffmpeg'), 'the directory is skipped');
  });

  it('takes FFMPEG_PATH over PATH, with the ffprobe beside it', () => {
    assert.deepEqual(findMediaTools({ FFMPEG_PATH: fakeOptFfmpeg, PATH: fakeBin }), {
      ok: true,
      tools: { ffmpeg: fakeOptFfmpeg, ffprobe: join(dir, 'fake-opt', 'ffprobe'), source: 'FFMPEG_PATH' },
    });
  });

  it('takes FFPROBE_PATH over the ffprobe beside ffmpeg', () => {
    const found = findMediaTools({ FFMPEG_PATH: fakeOptFfmpeg, FFPROBE_PATH: join(fakeOnlyFfprobe, 'ffprobe'), PATH: fakeBin });
    assert.equal(found.ok && found.tools.ffprobe, join(fakeOnlyFfprobe, 'ffprobe'));
  });

  it('finds both on PATH, in PATH order, and ffprobe elsewhere on PATH when none is beside ffmpeg', () => {
    assert.deepEqual(findMediaTools({ PATH: `/nonexistent:${fakeBin}:${fakeOnlyFfmpeg}` }), {
      ok: true,
      tools: { ffmpeg: join(fakeBin, 'ffmpeg'), ffprobe: join(fakeBin, 'ffprobe'), source: 'PATH' },
    });
    assert.deepEqual(findMediaTools({ PATH: `${fakeOnlyFfmpeg}:${fakeOnlyFfprobe}` }), {
      ok: true,
      tools: { ffmpeg: join(fakeOnlyFfmpeg, 'ffmpeg'), ffprobe: join(fakeOnlyFfprobe, 'ffprobe'), source: 'PATH' },
    });
  });

  it('finds ffmpeg without any ffprobe: ffprobe is null (probing then parses `ffmpeg -i`)', () => {
    const found = findMediaTools({ PATH: fakeOnlyFfmpeg });
    assert.equal(found.ok && found.tools.ffprobe, null);
  });

  it('refuses an FFMPEG_PATH that is missing or not executable, even with an ffmpeg on PATH, saying how to fix it', () => {
    for (const bad of [join(dir, 'nothing-here'), join(dir, 'fake-not-executable'), join(dir, 'fake-dir-bin', 'ffmpeg')]) {
      const found = findMediaTools({ FFMPEG_PATH: bad, PATH: fakeBin }, { fallback: { source: 'fake-fallback', ffmpeg: () => fakeOptFfmpeg } });
      assert.equal(found.ok, false, bad);
      assert.equal(!found.ok && found.code, 'FFMPEG_PATH_INVALID');
      assert.equal(!found.ok && found.problem, `FFMPEG_PATH=${bad} is not an executable file: point it at an ffmpeg binary, or unset it to use the ffmpeg on PATH`);
    }
  });

  it('refuses an FFPROBE_PATH that is not executable', () => {
    const found = findMediaTools({ FFPROBE_PATH: join(dir, 'fake-not-executable'), PATH: fakeBin });
    assert.equal(!found.ok && found.code, 'FFPROBE_PATH_INVALID');
    assert.match(!found.ok ? found.problem : '', /^FFPROBE_PATH=.*fake-not-executable is not an executable file/);
  });

  it('uses the caller’s fallback only when PATH has no ffmpeg', () => {
    let asked = 0;
    const fallback = {
      source: 'fake-bundled',
      ffmpeg: () => {
        asked++;
        return fakeOptFfmpeg;
      },
    } as const;
    const onPath = findMediaTools({ PATH: fakeBin }, { fallback });
    assert.equal(onPath.ok && onPath.tools.source, 'PATH');
    assert.equal(asked, 0, 'the fallback is not even looked at');
    const fell = findMediaTools({ PATH: fakeOnlyFfprobe }, { fallback });
    assert.deepEqual(fell, { ok: true, tools: { ffmpeg: fakeOptFfmpeg, ffprobe: join(dir, 'fake-opt', 'ffprobe'), source: 'fake-bundled' } });
    assert.equal(asked, 1);
  });

  it('reports a missing ffmpeg as one sentence naming where it looked and how to fix it', () => {
    const none = findMediaTools({ PATH: fakeOnlyFfprobe });
    assert.deepEqual(none, {
      ok: false,
      code: 'FFMPEG_NOT_FOUND',
      problem: 'ffmpeg not found on PATH: install it (Debian/Ubuntu: apt-get install ffmpeg) or set FFMPEG_PATH to an ffmpeg binary',
    });
    const noFallback = findMediaTools({ PATH: '' }, { fallback: { source: 'fake-bundled', ffmpeg: () => null } });
    assert.equal(!noFallback.ok && noFallback.problem, 'ffmpeg not found on PATH nor in fake-bundled: install it (Debian/Ubuntu: apt-get install ffmpeg) or set FFMPEG_PATH to an ffmpeg binary');
  });

  it('requireMediaTools throws the same sentence as a MediaToolsError with its code', () => {
    assert.equal(requireMediaTools({ PATH: fakeBin }).ffmpeg, join(fakeBin, 'ffmpeg'));
    assert.throws(
      () => requireMediaTools({ FFMPEG_PATH: join(dir, 'nothing-here'), PATH: fakeBin }),
      (err: unknown) => err instanceof MediaToolsError && err.code === 'FFMPEG_PATH_INVALID' && /^FFMPEG_PATH=/.test(err.message),
    );
  });
});
