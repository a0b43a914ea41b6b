import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptionCheckQuery, CaptionLayoutRequest, CaptionProfile, CaptionProfileName } from '@ecg/contracts';
import { captionProfile, isCaptionProfile, profileForLanguage, resolveProfile } from '../src/index.js';

describe('caption profiles', () => {
  test('hold the published figures: line length and reading speed per language, the Netflix timing for all', () => {
    const table = CaptionProfileName.options.map((name) => {
      const p = captionProfile(name);
      const v = captionProfile(name, true);
      return [name, p.max_chars_per_line, v.max_chars_per_line, p.max_chars_per_second];
    });
    assert.deepEqual(table, [
      ['en', 42, 18, 20],
      ['latin', 42, 18, 17],
      ['ko', 16, 9, 12],
      ['ja', 13, 9, 4],
      ['zh-hans', 16, 9, 9],
      ['zh-hant', 16, 9, 9],
    ]);
    for (const name of CaptionProfileName.options) {
      const p = captionProfile(name);
      assert.deepEqual([p.max_lines, p.min_duration, p.max_duration, p.min_gap_frames], [2, 5 / 6, 7, 2]);
      assert.equal(CaptionProfile.safeParse(p).success, true);
      assert.equal(isCaptionProfile(captionProfile(name, true)), true);
    }
  });

  test('follow the transcript language: Whisper codes and BCP 47 tags, zh as Simplified, anything else as latin', () => {
    const cases: Array<[string | null | undefined, string]> = [
      ['en', 'en'],
      ['EN-gb', 'en'],
      ['ko', 'ko'],
      ['ja', 'ja'],
      ['zh', 'zh-hans'],
      ['zh-Hans', 'zh-hans'],
      ['zh-CN', 'zh-hans'],
      ['zh-Hant', 'zh-hant'],
      ['zh_TW', 'zh-hant'],
      ['zh-HK', 'zh-hant'],
      ['yue', 'zh-hant'],
      ['de', 'latin'],
      ['ru', 'latin'],
      ['auto', 'latin'],
      ['', 'latin'],
      [null, 'latin'],
      [undefined, 'latin'],
    ];
    for (const [lang, name] of cases) assert.equal(profileForLanguage(lang), name, String(lang));
  });

  test('resolve a request: a picked profile over the language, the vertical variant, then single overrides', () => {
    assert.deepEqual(resolveProfile({}, 'ko'), captionProfile('ko'));
    assert.deepEqual(resolveProfile(undefined, 'ja'), captionProfile('ja'));
    assert.equal(resolveProfile({ profile: 'en' }, 'ko').name, 'en');
    const p = resolveProfile({ profile: 'ko', vertical: true, overrides: { max_chars_per_second: 14, max_lines: 1 } }, 'en');
    assert.deepEqual(p, { ...captionProfile('ko', true), max_chars_per_second: 14, max_lines: 1 });
    const short = resolveProfile({ overrides: { max_duration: 1 } }, 'en');
    assert.deepEqual([short.min_duration, short.max_duration], [5 / 6, 1]);
    // A request that skipped validation with a minimum above the maximum gets the minimum pulled down to it.
    const clash = resolveProfile({ overrides: { min_duration: 4, max_duration: 2 } }, 'en');
    assert.deepEqual([clash.min_duration, clash.max_duration], [2, 2]);
    assert.equal(CaptionProfile.safeParse(resolveProfile({ overrides: { min_duration: 5, max_duration: 30 } })).success, true);
  });

  test('refuse out-of-range or unknown overrides at the contract', () => {
    const ok = (body: unknown): boolean => CaptionLayoutRequest.safeParse(body).success;
    assert.equal(ok({}), true);
    assert.equal(ok({ profile: 'zh-hant', vertical: true, overrides: { max_chars_per_line: 14, min_gap_frames: 0 } }), true);
    assert.equal(ok({ profile: 'fr' }), false);
    assert.equal(ok({ overrides: { max_chars_per_line: 420 } }), false);
    assert.equal(ok({ overrides: { max_chars_per_line: 12.5 } }), false);
    assert.equal(ok({ overrides: { max_lines: 0 } }), false);
    assert.equal(ok({ overrides: { max_duration: 600 } }), false);
    assert.equal(ok({ overrides: { max_chars_per_second: 0 } }), false);
    assert.equal(ok({ overrides: { min_duration: 4, max_duration: 2 } }), false);
    assert.equal(ok({ overrides: { max_chars: 30 } }), false);
    assert.equal(ok({ profile: 'en', extra: true }), false);
    assert.deepEqual(CaptionCheckQuery.parse({ profile: 'ja', vertical: 'true' }), { profile: 'ja', vertical: true });
    assert.deepEqual(CaptionCheckQuery.parse({}), { vertical: false });
  });
});
