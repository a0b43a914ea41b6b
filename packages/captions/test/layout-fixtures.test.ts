import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption, CaptionProfile, CaptionWord } from '@ecg/contracts';
import { captionProfile, checkCaptions, layoutCaptions, resolveProfile, textWidth } from '../src/index.js';

/*
 * Hand-written sentences in English, Korean and Japanese, pinning the break
 * points the engine chooses. Timings are written out where they matter (the
 * JFK line, with its pauses) and otherwise generated at a steady speed.
 */

/** Words at `cps` characters a second, 40 ms apart, with extra pauses (s) before the given word indices. */
function timed(tokens: readonly string[], cps: number, pauses: Readonly<Record<number, number>> = {}, from = 0.5): CaptionWord[] {
  let t = from;
  return tokens.map((word, i) => {
    t += pauses[i] ?? 0;
    const d = Math.max(0.06, Array.from(word.trim()).length / cps);
    const w = { word, start: Math.round(t * 1000) / 1000, end: Math.round((t + d) * 1000) / 1000 };
    t += d + 0.04;
    return w;
  });
}
/** Whisper-style words of a spaced sentence: each with its leading space. */
const spaced = (sentence: string): string[] => sentence.split(' ').map((w) => ` ${w}`);
const texts = (captions: readonly Caption[]): string[] => captions.map((c) => c.text);
const lines = (captions: readonly Caption[]): string[] => captions.flatMap((c) => c.text.split('\n'));
const rules = (captions: readonly Caption[], profile: CaptionProfile): string[] => checkCaptions(captions, profile).map((i) => `${i.caption_id} ${i.rule}`);

const en = captionProfile('en');
const ko = captionProfile('ko');
const ja = captionProfile('ja');

describe('English', () => {
  // JFK, 20 January 1961, with his pauses after "Americans:" and "you,".
  const jfk: CaptionWord[] = (
    [
      [' And', 0.0, 0.22], [' so,', 0.22, 0.62], [' my', 0.95, 1.1], [' fellow', 1.1, 1.45], [' Americans:', 1.45, 2.35],
      [' ask', 3.4, 3.7], [' not', 3.7, 4.2], [' what', 4.45, 4.62], [' your', 4.62, 4.8], [' country', 4.8, 5.3],
      [' can', 5.3, 5.5], [' do', 5.5, 5.7], [' for', 5.7, 5.9], [' you,', 5.9, 6.5],
      [' ask', 7.6, 7.85], [' what', 7.85, 8.05], [' you', 8.05, 8.2], [' can', 8.2, 8.4], [' do', 8.4, 8.6],
      [' for', 8.6, 8.8], [' your', 8.8, 9.0], [' country.', 9.0, 9.8],
    ] as const
  ).map(([word, start, end]) => ({ word, start, end, probability: 0.95 }));

  test('cuts the JFK line at its pauses, one clause a caption, timed to the speech', () => {
    const captions = layoutCaptions(jfk, en);
    assert.deepEqual(
      captions.map((c) => [c.text, c.start, c.end]),
      [
        ['And so, my fellow Americans:', 0, 2.85],
        ['ask not what your country can do for you,', 3.4, 7],
        ['ask what you can do for your country.', 7.6, 10.3],
      ],
    );
    assert.deepEqual(rules(captions, en), []);
  });

  test('in vertical video, breaks the JFK line into short balanced lines before prepositions, never after "your"', () => {
    const vertical = resolveProfile({ vertical: true }, 'en');
    assert.equal(vertical.max_chars_per_line, 18);
    const captions = layoutCaptions(jfk, vertical);
    assert.deepEqual(texts(captions), [
      'And so, my fellow\nAmericans:',
      'ask not what',
      'your country\ncan do for you,',
      'ask what\nyou can do',
      'for your country.',
    ]);
    // "ask what you can do" is 19 characters in 0.92 s before "for": 20.7 a second, and no free time to give.
    assert.deepEqual(rules(captions, vertical), ['c3 too_fast']);
  });

  test('breaks a 40-word run-on without punctuation into full, balanced captions', () => {
    const runOn =
      'so we went down to the market early in the morning and there were people everywhere selling fruit and fish and bread and we walked around for hours looking at all the stalls until my sister found a wooden box';
    assert.equal(runOn.split(' ').length, 40);
    const captions = layoutCaptions(timed(spaced(runOn), 15), en);
    assert.deepEqual(texts(captions), [
      'so we went down to the market early\nin the morning and there were',
      'people everywhere selling fruit\nand fish and bread and we walked',
      'around for hours looking at all the stalls\nuntil my sister found a wooden box',
    ]);
    for (const line of lines(captions)) assert.doesNotMatch(line, /\b(a|an|the)$/, `"${line}" ends on an article`);
    assert.deepEqual(rules(captions, en), []);
  });

  test('never ends a line on an article, even where greedy filling would', () => {
    // Greedy fill puts "We finally reached the top of the hill and" (42) on line one and strands "and"; the engine balances.
    const captions = layoutCaptions(timed(spaced('We finally reached the top of the hill and looked down at the river below'), 15), en);
    assert.deepEqual(texts(captions), ['We finally reached the top of the hill\nand looked down at the river below']);
    const articleAtEdge = layoutCaptions(timed(spaced('I bought a ticket for the train to the coast and a map of the old town centre'), 15), {
      ...en,
      max_chars_per_line: 20,
    });
    for (const line of lines(articleAtEdge)) assert.doesNotMatch(line, /\b(a|an|the)$/i, `"${line}" ends on an article`);
  });

  test('leaves no one-word orphan when a neighbour can take the word', () => {
    // 87 characters and over 7 s: two captions, and greedy filling would strand "me" or "too" in the second.
    for (const sentence of [
      'I want to thank every one of you for coming out here tonight to support the team and me',
      'I want to thank every one of you for coming out here tonight to support the team and me too',
    ]) {
      const captions = layoutCaptions(timed(spaced(sentence), 14), en);
      assert.ok(captions.length >= 2);
      for (const c of captions) assert.ok(c.words.length > 1, `orphan: ${c.text}`);
    }
  });

  test('keeps a one-word reply of another speaker as its own caption, and joins it to a neighbour otherwise', () => {
    const words = (
      [
        [' Are', 0, 0.2], [' you', 0.2, 0.35], [' coming', 0.35, 0.7], [' with', 0.7, 0.85], [' us', 0.85, 1.0], [' tonight?', 1.0, 1.5],
        [' Yes.', 1.7, 2.0], [' Then', 2.2, 2.4], [' we', 2.4, 2.5], [' leave', 2.5, 2.8], [' at', 2.8, 2.9], [' eight.', 2.9, 3.4],
      ] as const
    ).map(([word, start, end]) => ({ word, start, end }));
    assert.deepEqual(texts(layoutCaptions(words, en)), ['Are you coming with us tonight?', 'Yes. Then we leave at eight.']);
    const speakers = [
      { start: 0, end: 1.6, speaker: 'A' },
      { start: 1.6, end: 2.1, speaker: 'B' },
      { start: 2.1, end: 4, speaker: 'A' },
    ];
    // Speakers known only from turns always cut: a dash caption needs its speakers on its words.
    assert.deepEqual(texts(layoutCaptions(words, en, { speakers })), ['Are you coming with us tonight?', 'Yes.', 'Then we leave at eight.']);
  });

  // With the speakers on the words, a reply stays its own caption when it can show for the
  // minimum duration by itself; when it would flash (speech resumes 0.2 s after it), it joins the
  // next turn as a dash caption, one line each (segment-captions.ts, "Dash captions").
  test('keeps a one-word reply its own caption when it has time to be read, and makes a dash caption when it would flash', () => {
    const said = (spec: ReadonlyArray<readonly [string, number, number, string]>): CaptionWord[] =>
      spec.map(([word, start, end, speaker]) => ({ word, start, end, speaker }));
    const exchange = (resume: number): CaptionWord[] =>
      said([
        [' Are', 0, 0.2, 'SPEAKER_00'], [' you', 0.2, 0.35, 'SPEAKER_00'], [' coming', 0.35, 0.7, 'SPEAKER_00'], [' with', 0.7, 0.85, 'SPEAKER_00'],
        [' us', 0.85, 1.0, 'SPEAKER_00'], [' tonight?', 1.0, 1.5, 'SPEAKER_00'],
        [' Yes.', 1.7, 2.0, 'SPEAKER_01'],
        [' Then', resume, resume + 0.2, 'SPEAKER_00'], [' we', resume + 0.2, resume + 0.3, 'SPEAKER_00'], [' leave', resume + 0.3, resume + 0.6, 'SPEAKER_00'],
        [' at', resume + 0.6, resume + 0.7, 'SPEAKER_00'], [' eight.', resume + 0.7, resume + 1.2, 'SPEAKER_00'],
      ]);
    const roomy = layoutCaptions(exchange(4.2), en);
    assert.deepEqual(texts(roomy), ['Are you coming with us tonight?', 'Yes.', 'Then we leave at eight.']);
    assert.deepEqual(roomy.map((c) => c.speaker), ['SPEAKER_00', 'SPEAKER_01', 'SPEAKER_00']);
    const quick = layoutCaptions(exchange(2.2), en);
    assert.deepEqual(texts(quick), ['Are you coming with us tonight?', 'Yes.\nThen we leave at eight.']);
    assert.deepEqual(quick.map((c) => c.speaker), ['SPEAKER_00', 'SPEAKER_01']);
    assert.deepEqual(rules(quick, en), []);
  });

  test('keeps every word of a speaker at 25 characters a second with no pause, and marks the captions too fast', () => {
    const sentence =
      'I really need you to listen to me right now because there is absolutely no time left to explain everything that happened at the office this morning before the meeting started';
    const words = timed(spaced(sentence), 25);
    const captions = layoutCaptions(words, en);
    assert.deepEqual(
      captions.flatMap((c) => c.words),
      words,
    );
    assert.equal(captions.map((c) => c.text.replace(/\n/g, ' ')).join(' '), sentence);
    // Only reading speed is broken: lines, durations and gaps hold. The last caption has the free time it needs.
    assert.deepEqual(rules(captions, en), ['c0 too_fast', 'c1 too_fast']);
  });
});

describe('Korean', () => {
  test('breaks only at spaces, never inside a word Whisper gave in pieces', () => {
    const words = timed([' 안녕', '하세요', ' 여러분', ' 오늘은', ' 날씨가', ' 정말', ' 좋', '네요'], 6);
    assert.deepEqual(texts(layoutCaptions(words, ko)), ['안녕하세요 여러분 오늘은\n날씨가 정말 좋네요']);
    // Vertical: 9 full-width characters a line.
    assert.deepEqual(texts(layoutCaptions(words, captionProfile('ko', true))), ['안녕하세요 여러분', '오늘은 날씨가\n정말 좋네요']);
  });

  test('counts Latin letters, digits, spaces and punctuation as half a character', () => {
    assert.equal(textWidth('Netflix와 YouTube에서 봤다', 'east-asian'), 13);
    // 22 characters, but 13 Korean-width: one line of 16.
    assert.deepEqual(texts(layoutCaptions(timed(spaced('Netflix와 YouTube에서 봤다'), 6), ko)), ['Netflix와 YouTube에서 봤다']);
  });

  test('cuts at the sentence end after a pause, and balances the lines around Latin and digits', () => {
    const sentence = '나는 오늘 아침에 KTX를 타고 부산에 갔다. 바다를 보면서 커피를 마셨는데 정말 좋았다.';
    const captions = layoutCaptions(timed(spaced(sentence), 6, { 7: 1.2 }), ko);
    assert.deepEqual(texts(captions), ['나는 오늘 아침에 KTX를\n타고 부산에 갔다.', '바다를 보면서 커피를\n마셨는데 정말 좋았다.']);
    assert.deepEqual(rules(captions, ko), []);
  });

  test('lays a long run-on out at spaces within 16 a line', () => {
    const runOn = '그리고 우리는 3시에 회의실에서 만나서 새로운 프로젝트에 대해 이야기를 나누었고 다음 주 월요일까지 계획을 정리하기로 했습니다';
    const captions = layoutCaptions(timed(spaced(runOn), 7), ko);
    assert.deepEqual(texts(captions), [
      '그리고 우리는 3시에',
      '회의실에서 만나서 새로운\n프로젝트에 대해 이야기를',
      '나누었고 다음 주 월요일까지\n계획을 정리하기로 했습니다',
    ]);
    for (const line of lines(captions)) assert.ok(textWidth(line, 'east-asian') <= 16, line);
  });
});

describe('Japanese', () => {
  // Japanese subtitles are read at 4 characters a second: speech at 6 or 7 is always too fast,
  // so these check the break points and leave reading speed to the checker.
  const breaks = (captions: readonly Caption[]): string[] => texts(captions);

  test('breaks after 。 and 、, and keeps each sentence to its caption', () => {
    const tokens = ['私', 'は', '毎日', '日本語', 'の', '勉強', 'を', 'して', 'いま', 'す', '。', 'でも', '、', 'まだ', 'ちょ', 'っと', '難しい', 'です', 'ね', '。'];
    assert.deepEqual(breaks(layoutCaptions(timed(tokens, 6), ja)), ['私は毎日日本語の\n勉強をしています。', 'でも、\nまだちょっと難しいですね。']);
  });

  test('starts no line with 。, 、, a closing bracket or small kana (kinsoku), and ends none with an opening bracket', () => {
    const cases = [
      ['き', 'ょ', 'う', 'は', 'ち', 'ょ', 'っ', 'と', 'だ', 'け', 'さ', 'む', 'い', 'で', 'す', 'ね', '。', 'あ', 'し', 'た', 'は', 'ゆ', 'き', 'が', 'ふ', 'る', 'そ', 'う', 'で', 'す', 'よ', '。'],
      ['彼', 'は', '「', 'もう', '帰り', 'たい', '」', 'と', '言っ', 'た', '。', 'でも', '誰', 'も', '聞い', 'て', 'いなかった', '。'],
      ['これ', 'は', 'テスト', 'です', '。', 'ちょうど', '十三', '文字', 'の', '行', 'です', '。', '次', 'の', '行', 'に', '続き', 'ます', '。'],
    ];
    for (const tokens of cases) {
      for (const line of lines(layoutCaptions(timed(tokens, 7), ja))) {
        assert.doesNotMatch(line, /^[。、．，」』）！？ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮー]/u, `line starts badly: ${line}`);
        assert.doesNotMatch(line, /[「『（]$/u, `line ends badly: ${line}`);
        assert.ok(textWidth(line, 'east-asian') <= 13, line);
      }
    }
    assert.deepEqual(breaks(layoutCaptions(timed(cases[0]!, 7), ja)), ['きょうはちょっとだ\nけさむいですね。', 'あしたはゆきがふ\nるそうですよ。']);
    assert.deepEqual(breaks(layoutCaptions(timed(cases[1]!, 6, { 11: 0.9 }), ja)), ['彼は「もう帰りたい」\nと言った。', 'でも誰も聞いていなかった。']);
  });

  test('breaks where the script changes rather than inside a run of kanji or katakana', () => {
    const tokens = ['東京', 'タワー', 'に', '登っ', 'た', 'こと', 'が', 'あり', 'ます', 'か', '？', '一度', 'も', 'ない', 'です', '。'];
    assert.deepEqual(breaks(layoutCaptions(timed(tokens, 7), ja)), ['東京タワーに\n登ったことがありますか？', '一度もないです。']);
    const weather = ['今日', 'は', 'とても', 'いい', '天気', 'です', 'ね', '。', '散歩', 'に', '行き', 'ましょう', 'か', '。'];
    assert.deepEqual(breaks(layoutCaptions(timed(weather, 7), ja)), ['今日はとてもいい\n天気ですね。', '散歩に行きましょうか。']);
  });

  test('lays Whisper-style tokens without spaces out without inserting any', () => {
    const captions = layoutCaptions(timed([' こんにちは', '。', ' 元気', 'です', 'か', '？'], 7), ja);
    assert.deepEqual(texts(captions), ['こんにちは。元気ですか？']);
  });
});
