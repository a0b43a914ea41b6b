import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptionWord } from '@ecg/contracts';
import { captionProfile, layoutCaptions } from '../src/index.js';

/** Words as the ML service delivers them: trimmed, one entry a word (apps/ml/src/pipeline/assemble-result.ts). */
const trimmed = (tokens: string[], step = 0.35): CaptionWord[] =>
  tokens.map((word, i) => ({ word, start: i * step, end: i * step + step * 0.8 }));

describe('layout of trimmed words', () => {
  it('spaces English words that carry no leading space', () => {
    const words = trimmed('And so my fellow Americans, ask not what your country can do for you.'.split(' '));
    const captions = layoutCaptions(words, captionProfile('en'));
    assert.deepEqual(
      captions.map((c) => c.text.replace(/\n/g, ' ')),
      ['And so my fellow Americans, ask not what your country can do for you.'],
    );
    assert.deepEqual(captions.flatMap((c) => c.words), words, 'the word objects themselves are untouched');
  });

  it('keeps Japanese and Chinese unspaced', () => {
    const ja = layoutCaptions(trimmed(['今日', 'は', 'とても', 'いい', '天気', 'です', 'ね', '。']), captionProfile('ja'));
    assert.equal(ja.map((c) => c.text.replace(/\n/g, '')).join(''), '今日はとてもいい天気ですね。');
    // ー is "Common" by Script but kana by Script_Extensions: no space before に.
    const katakana = layoutCaptions(trimmed(['東京', 'タワー', 'に', '登った', '。']), captionProfile('ja'));
    assert.equal(katakana.map((c) => c.text).join(''), '東京タワーに登った。');
    const zh = layoutCaptions(trimmed(['我们', '今天', '去', '公园', '。']), captionProfile('zh-hans'));
    assert.equal(zh.map((c) => c.text).join(''), '我们今天去公园。');
  });

  it('spaces Korean words, which are written with spaces', () => {
    const ko = layoutCaptions(trimmed('오늘은 자막을 만드는 일에 대해 이야기합니다.'.split(' ')), captionProfile('ko'));
    assert.equal(ko.map((c) => c.text.replace(/\n/g, ' ')).join(' '), '오늘은 자막을 만드는 일에 대해 이야기합니다.');
  });
});
