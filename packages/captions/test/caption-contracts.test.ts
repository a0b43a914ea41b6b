import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnalyzedTranscriptResult,
  Caption,
  CaptionDocument,
  CaptionWord,
  ClientConfigResponse,
  ExportQuery,
  JobListQuery,
  SaveCaptionsRequest,
  TranscriptResult,
} from '@ecg/contracts';
import { fromTranscript } from '../src/index.js';

/** `{ a: { a: … {} } }`, `depth` levels deep. */
function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const issueCodes = (r: { success: boolean; error?: { issues: Array<{ code: string }> } }): string[] =>
  r.error?.issues.map((i) => i.code) ?? [];

describe('caption contracts', () => {
  const captions = fromTranscript({
    segments: [
      { id: 0, start: 0, end: 1, text: ' 하나', words: [{ word: ' 하나', start: 0, end: 1, probability: 0.8, pitch_hz: 180 }] },
      { id: 1, start: 1, end: 2, text: ' 둘' },
    ],
  });

  test('accepts captions made by fromTranscript, analysis fields included', () => {
    const parsed = SaveCaptionsRequest.parse({ base_version: 0, captions });
    assert.equal(parsed.captions[0]!.words[0]!['pitch_hz'], 180);
    assert.equal(CaptionDocument.safeParse({ version: 3, captions, edited: true }).success, true);
  });

  test('refuses duplicate ids, out-of-order captions, an end before the start and a fractional version', () => {
    const dup = [captions[0]!, { ...captions[1]!, id: captions[0]!.id }];
    assert.equal(SaveCaptionsRequest.safeParse({ base_version: 0, captions: dup }).success, false);
    const reversed = [captions[1]!, captions[0]!];
    assert.equal(SaveCaptionsRequest.safeParse({ base_version: 0, captions: reversed }).success, false);
    const backwards = [{ ...captions[0]!, start: 2, end: 1 }];
    assert.equal(SaveCaptionsRequest.safeParse({ base_version: 0, captions: backwards }).success, false);
    assert.equal(SaveCaptionsRequest.safeParse({ base_version: 1.5, captions }).success, false);
  });

  test('knows the export formats and list limits', () => {
    assert.equal(ExportQuery.safeParse({ format: 'srt' }).success, true);
    assert.equal(ExportQuery.safeParse({ format: 'docx' }).success, false);
    assert.equal(JobListQuery.parse({}).limit, 20);
    assert.equal(JobListQuery.parse({ limit: '5' }).limit, 5);
    assert.equal(JobListQuery.safeParse({ limit: '500' }).success, false);
  });

  test('drops transcript word fields that a caption word does not name, so its captions save as they are', () => {
    const derived = fromTranscript({
      segments: [
        {
          id: 0,
          start: 0,
          end: 1,
          text: ' 하나',
          speaker: 'A',
          words: [{ word: ' 하나', start: 0, end: 1, probability: 0.8, volume_db: -20, peak_db: -9, pitch_hz: null, emphasis: 'normal', lufs: -23 }],
        },
      ],
    });
    assert.deepEqual(derived, [
      { id: 'c0', start: 0, end: 1, text: '하나', words: [{ word: ' 하나', start: 0, end: 1, probability: 0.8, volume_db: -20, peak_db: -9, pitch_hz: null, emphasis: 'normal' }] },
    ]);
    assert.equal(SaveCaptionsRequest.safeParse({ base_version: 0, captions: derived }).success, true);
  });

  test('lets the config say there is no public ML URL', () => {
    assert.equal(ClientConfigResponse.parse({ ml_public_url: null }).ml_public_url, null);
    assert.equal(ClientConfigResponse.safeParse({ ml_public_url: 'not a url' }).success, false);
  });
});

describe('caption word and caption bounds', () => {
  const word: CaptionWord = { word: 'hi', start: 0, end: 1, probability: 0.5, volume_db: -20, peak_db: -6, pitch_hz: 120, emphasis: 'loud' };
  const caption: Caption = { id: 'c0', start: 0, end: 1, text: 'hi', words: [word] };

  test('takes every field the ML service measures, each optional, and an unvoiced word without pitch', () => {
    assert.equal(CaptionWord.safeParse(word).success, true);
    assert.equal(CaptionWord.safeParse({ word: 'hi', start: 0, end: 1 }).success, true);
    assert.equal(CaptionWord.safeParse({ ...word, pitch_hz: null, volume_db: -100, peak_db: -100, emphasis: 'whisper' }).success, true);
  });

  test('refuses a field the contract does not name, on a word, a caption or a save', () => {
    assert.deepEqual(issueCodes(CaptionWord.safeParse({ ...word, colour: 'red' })), ['unrecognized_keys']);
    assert.deepEqual(issueCodes(Caption.safeParse({ ...caption, style: {} })), ['unrecognized_keys']);
    assert.deepEqual(issueCodes(SaveCaptionsRequest.safeParse({ base_version: 0, captions: [caption], extra: 1 })), ['unrecognized_keys']);
  });

  // `speaker` used to be an unknown key here; since issue 10 it is named, so
  // what is refused now is a value that is not a SpeakerId.
  test('takes a speaker id on a word and a caption, and refuses one not shaped like SPEAKER_00', () => {
    assert.equal(CaptionWord.safeParse({ ...word, speaker: 'SPEAKER_00' }).success, true);
    assert.equal(Caption.safeParse({ ...caption, speaker: 'SPEAKER_01', words: [{ ...word, speaker: 'SPEAKER_01' }] }).success, true);
    assert.deepEqual(issueCodes(CaptionWord.safeParse({ ...word, speaker: 'A' })), ['invalid_format']);
    assert.deepEqual(issueCodes(Caption.safeParse({ ...caption, speaker: 'A' })), ['invalid_format']);
    assert.deepEqual(issueCodes(CaptionWord.safeParse({ ...word, speaker: 3 })), ['invalid_type']);
  });

  test('refuses nested junk 3,000 levels deep without walking it', () => {
    const junk = nested(3000);
    const started = performance.now();
    assert.equal(CaptionWord.safeParse({ ...word, junk }).success, false);
    assert.equal(CaptionWord.safeParse({ ...word, emphasis: junk }).success, false);
    assert.equal(CaptionWord.safeParse({ ...word, volume_db: junk }).success, false);
    assert.ok(performance.now() - started < 100);
  });

  test('refuses analysis values outside what can be measured', () => {
    const refused: Array<[string, unknown]> = [
      ['volume below the -100 dB floor', { ...word, volume_db: -100.5 }],
      ['peak above +100 dBFS', { ...word, peak_db: 101 }],
      ['a volume that is a string', { ...word, volume_db: '-20' }],
      ['pitch of zero', { ...word, pitch_hz: 0 }],
      ['pitch above 20 kHz', { ...word, pitch_hz: 20_001 }],
      ['emphasis not loud/normal/whisper', { ...word, emphasis: 'shouted' }],
      ['probability above 1', { ...word, probability: 1.01 }],
      ['a word longer than a caption may be', { ...word, word: 'x'.repeat(10_001) }],
      ['a negative start', { ...word, start: -0.001 }],
      ['a time past 10,000,000 s', { ...word, end: 10_000_001 }],
    ];
    for (const [what, w] of refused) assert.equal(CaptionWord.safeParse(w).success, false, what);
  });

  test('bounds a caption: id, text and word count, and times', () => {
    assert.equal(Caption.safeParse(caption).success, true);
    assert.equal(Caption.safeParse({ ...caption, id: '' }).success, false);
    assert.equal(Caption.safeParse({ ...caption, id: 'x'.repeat(65) }).success, false);
    assert.equal(Caption.safeParse({ ...caption, text: 'x'.repeat(10_001) }).success, false);
    assert.equal(Caption.safeParse({ ...caption, words: Array.from({ length: 5_001 }, () => word) }).success, false);
    assert.equal(Caption.safeParse({ ...caption, end: 1e300 }).success, false);
  });
});

describe('transcript result bounds', () => {
  const analysed = {
    text: ' hi',
    language: 'en',
    segments: [
      {
        id: 0,
        start: 0,
        end: 1,
        text: ' hi',
        words: [{ word: ' hi', start: 0, end: 1, probability: 0.9, volume_db: -20, peak_db: -6, pitch_hz: 120, emphasis: 'normal' }],
        stats: { volume_db_mean: -20, volume_db_std: 0, pitch_hz_mean: 120, pitch_hz_std: 0, words_per_minute: 60 },
      },
    ],
    analysis: {
      volume_db_mean: -20,
      volume_db_std: 0,
      pitch_hz_mean: 120,
      pitch_hz_std: 0,
      words_per_minute: 60,
      thresholds: { loud_db: 6, whisper_db: 10, reference_db: -20 },
      method: { loudness: 'rms_dbfs_aes17', peak: 'sample_peak_dbfs', pitch: 'yin_median_voiced_frames', yin_threshold: 0.15, frame_ms: 40, hop_ms: 10, min_hz: 60, max_hz: 500, silence_db: -60, floor_db: -100, min_word_ms: 60 },
    },
  };

  test('keeps the fields a newer ML service adds, the analysis included', () => {
    assert.equal(AnalyzedTranscriptResult.safeParse(analysed).success, true);
    const parsed = TranscriptResult.parse({ ...analysed, engine_notes: { a: [1, 2] } });
    assert.deepEqual(parsed, { ...analysed, engine_notes: { a: [1, 2] } });
  });

  test('refuses an extra field nested deeper than 8 levels, on a word, a segment or the result', () => {
    const segment = analysed.segments[0]!;
    // nested(7) is 8 objects, one inside the other.
    const deep = nested(8);
    assert.equal(TranscriptResult.safeParse({ ...analysed, extra: nested(7) }).success, true);
    for (const [where, result] of [
      ['word', { ...analysed, segments: [{ ...segment, words: [{ ...segment.words[0]!, junk: deep }] }] }],
      ['segment', { ...analysed, segments: [{ ...segment, junk: [deep] }] }],
      ['result', { ...analysed, junk: nested(3000) }],
      ['model', { ...analysed, model: { name: 'tiny', engine: 'whisper.cpp', junk: deep } }],
    ] as const) {
      assert.equal(TranscriptResult.safeParse(result).success, false, where);
    }
  });
});
