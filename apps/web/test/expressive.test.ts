import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toAss } from '@ecg/captions';
import type { Caption } from '@ecg/contracts';
import { assExportUrl } from '../src/api/backend.js';
import { DEFAULT_PREFS, readExpressivePrefs, writeExpressivePrefs } from '../src/lib/expressive-prefs.js';
import { clampStrength, DEFAULT_STRENGTH, emphasisLook, emphasisOf, emphasisScale } from '../src/lib/expressive-style.js';
import type { KeyValueStore } from '../src/lib/local-store.js';
import { forgetRender, rememberedRender, rememberRender } from '../src/lib/render-memory.js';

/** A Map-backed stand-in for localStorage (Node has none). */
function fakeStorage(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('expressive word sizes', () => {
  test('loud grows by 35% and whisper shrinks by 25% per unit of strength; normal never changes', () => {
    assert.equal(emphasisScale('loud', 1), 1.35);
    assert.equal(emphasisScale('loud', 2), 1.7);
    assert.equal(emphasisScale('whisper', 1), 0.75);
    assert.equal(emphasisScale('whisper', 2), 0.5);
    assert.equal(emphasisScale('normal', 2), 1);
    assert.equal(emphasisScale('loud', 0), 1, 'strength 0 is plain');
  });

  test('strength outside 0..2 is held at the nearest end, and unreadable strength is the default', () => {
    assert.equal(emphasisScale('loud', 5), 1.7);
    assert.equal(emphasisScale('whisper', -1), 1);
    assert.equal(clampStrength('1.5'), 1.5);
    assert.equal(clampStrength('abc'), DEFAULT_STRENGTH);
    assert.equal(clampStrength(Number.NaN), DEFAULT_STRENGTH);
    assert.equal(clampStrength(''), DEFAULT_STRENGTH);
  });

  test('whispered words are lighter as the export writes them; other words are opaque', () => {
    assert.equal(emphasisLook('normal', 2).opacity, 1);
    assert.equal(emphasisLook('loud', 2).opacity, 1);
    assert.equal(emphasisLook('whisper', 1).opacity, 1 - 0x60 / 255);
    assert.equal(emphasisLook('whisper', 2).opacity, 1 - 0x90 / 255, 'never fades past the cap');
    assert.equal(emphasisLook('whisper', 0).opacity, 1);
  });

  test('the preview sizes words in the same proportion as the ASS export', () => {
    const caption: Caption = {
      id: 'c0',
      start: 0,
      end: 2,
      text: 'quiet LOUD',
      words: [
        { word: 'quiet', start: 0, end: 1, emphasis: 'whisper' },
        { word: ' LOUD', start: 1, end: 2, emphasis: 'loud' },
      ],
    };
    for (const strength of [0.5, 1, 2]) {
      const ass = toAss([caption], { expressive: true, strength, playResY: 1800 });
      const base = Number(/Style: Default,[^,]+,(\d+),/.exec(ass)?.[1]);
      const sizes = [...ass.matchAll(/\\fs(\d+)/g)].map((m) => Number(m[1]));
      assert.equal(sizes.length, 2, ass);
      assert.ok(Math.abs(sizes[0]! / base - emphasisScale('whisper', strength)) < 0.01, `whisper at ${strength}`);
      assert.ok(Math.abs(sizes[1]! / base - emphasisScale('loud', strength)) < 0.01, `loud at ${strength}`);
    }
  });

  test('reads a word’s emphasis, treating words without analysis as normal', () => {
    assert.equal(emphasisOf({ word: 'a', emphasis: 'loud' }), 'loud');
    assert.equal(emphasisOf({ word: 'a', emphasis: 'whisper' }), 'whisper');
    assert.equal(emphasisOf({ word: 'a' }), 'normal');
    assert.equal(emphasisOf({ word: 'a', emphasis: 'shouted' }), 'normal');
  });
});

describe('remembered expressive settings', () => {
  test('default to on at strength 1, and come back as written', () => {
    const store = fakeStorage();
    assert.deepEqual(readExpressivePrefs(store), DEFAULT_PREFS);
    assert.deepEqual(DEFAULT_PREFS, { enabled: true, strength: 1 });
    writeExpressivePrefs(store, { enabled: false, strength: 1.7 });
    assert.deepEqual(readExpressivePrefs(store), { enabled: false, strength: 1.7 });
  });

  test('survive damaged or missing storage', () => {
    const store = fakeStorage();
    store.map.set('ecg.expressive', '{not json');
    assert.deepEqual(readExpressivePrefs(store), DEFAULT_PREFS);
    store.map.set('ecg.expressive', JSON.stringify({ enabled: 'yes', strength: 9 }));
    assert.deepEqual(readExpressivePrefs(store), { enabled: true, strength: 2 });
    assert.deepEqual(readExpressivePrefs(null), DEFAULT_PREFS);
    writeExpressivePrefs(null, { enabled: false, strength: 0 }); // no storage: nothing thrown
  });
});

describe('remembered renders', () => {
  test('keep the latest render per job, so a reload resumes it, and forget on request', () => {
    const store = fakeStorage();
    assert.equal(rememberedRender(store, 'job-a'), null);
    rememberRender(store, 'job-a', 'render-1');
    rememberRender(store, 'job-b', 'render-2');
    rememberRender(store, 'job-a', 'render-3');
    assert.equal(rememberedRender(store, 'job-a'), 'render-3');
    assert.equal(rememberedRender(store, 'job-b'), 'render-2');
    forgetRender(store, 'job-a');
    assert.equal(rememberedRender(store, 'job-a'), null);
    assert.equal(rememberedRender(store, 'job-b'), 'render-2');
  });

  test('keep at most 50 jobs, dropping the oldest, and ignore damaged entries', () => {
    const store = fakeStorage();
    for (let i = 0; i < 60; i++) rememberRender(store, `job-${i}`, `r-${i}`);
    assert.equal(rememberedRender(store, 'job-59'), 'r-59');
    assert.equal(rememberedRender(store, 'job-10'), 'r-10');
    assert.equal(rememberedRender(store, 'job-9'), null);
    store.map.set('ecg.renders', JSON.stringify([['job-x', 42], 'junk', ['job-y', 'r-y']]));
    assert.equal(rememberedRender(store, 'job-x'), null);
    assert.equal(rememberedRender(store, 'job-y'), 'r-y');
  });
});

describe('ASS download link', () => {
  test('asks the backend export for ASS with the toggle and strength', () => {
    const url = new URL(assExportUrl('6f1c7a52-3d0c-4d5e-9a51-2f7e1c0b9e11', false, 1.5), 'http://x');
    assert.equal(url.pathname, '/api/upload-video/result/6f1c7a52-3d0c-4d5e-9a51-2f7e1c0b9e11/export');
    assert.deepEqual(Object.fromEntries(url.searchParams), { format: 'ass', expressive: 'false', strength: '1.5' });
  });
});
