import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption } from '@ecg/contracts';
import { attachmentDisposition, captionAt, captionIndexAt, safeDownloadName, wordAt } from '../src/index.js';

const captions: Caption[] = [
  { id: 'c0', start: 0, end: 1, text: 'a b', words: [{ word: 'a', start: 0, end: 0.4 }, { word: ' b', start: 0.5, end: 1 }] },
  { id: 'c1', start: 2, end: 3, text: 'c', words: [] },
  { id: 'c2', start: 3, end: 4.5, text: 'd', words: [] },
];

describe('captionAt and wordAt', () => {
  test('finds the caption showing at a time, start inclusive and end exclusive', () => {
    assert.equal(captionIndexAt(captions, 0), 0);
    assert.equal(captionIndexAt(captions, 0.99), 0);
    assert.equal(captionIndexAt(captions, 1), -1);
    assert.equal(captionIndexAt(captions, 1.5), -1);
    assert.equal(captionIndexAt(captions, 3), 2);
    assert.equal(captionIndexAt(captions, 4.5), -1);
    assert.equal(captionIndexAt([], 1), -1);
    assert.equal(captionAt(captions, 2.2)?.id, 'c1');
    assert.equal(captionAt(captions, 10), undefined);
  });

  test('finds the word being spoken, and none between words', () => {
    assert.equal(wordAt(captions[0]!.words, 0.1), 0);
    assert.equal(wordAt(captions[0]!.words, 0.45), -1);
    assert.equal(wordAt(captions[0]!.words, 0.7), 1);
  });
});

describe('safeDownloadName', () => {
  test('names the download after the video with the new extension', () => {
    assert.equal(safeDownloadName('interview.mp4', 'srt'), 'interview.srt');
    assert.equal(safeDownloadName('회의 녹화 2024.mov', 'vtt'), '회의 녹화 2024.vtt');
    assert.equal(safeDownloadName('archive.tar.gz', 'txt'), 'archive.tar.txt');
  });

  test('drops folders and replaces characters file systems refuse', () => {
    assert.equal(safeDownloadName('C:\\videos\\a:b*c?.mp4', 'srt'), 'a_b_c_.srt');
    assert.equal(safeDownloadName('../../etc/passwd', 'json'), 'passwd.json');
    assert.equal(safeDownloadName('bad\u0000"name|.mkv', 'srt'), 'bad_name_.srt');
  });

  test('falls back to "captions" when nothing usable is left', () => {
    assert.equal(safeDownloadName(null, 'srt'), 'captions.srt');
    assert.equal(safeDownloadName('', 'vtt'), 'captions.vtt');
    assert.equal(safeDownloadName('...', 'txt'), 'captions.txt');
  });

  test('treats a leading dot as part of the name, not an extension, and strips it', () => {
    assert.equal(safeDownloadName('.hidden', 'txt'), 'hidden.txt');
  });

  test('keeps long names to 120 characters before the extension', () => {
    const name = safeDownloadName(`${'가'.repeat(300)}.mp4`, 'srt');
    assert.equal(name, `${'가'.repeat(120)}.srt`);
  });
});

describe('attachmentDisposition', () => {
  test('carries an ASCII fallback and the UTF-8 name', () => {
    assert.equal(
      attachmentDisposition('회의 "a".srt'),
      `attachment; filename="__ _a_.srt"; filename*=UTF-8''%ED%9A%8C%EC%9D%98%20%22a%22.srt`,
    );
  });
});
