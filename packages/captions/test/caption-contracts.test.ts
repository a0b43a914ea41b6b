import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptionDocument, ClientConfigResponse, ExportQuery, JobListQuery, SaveCaptionsRequest } from '@ecg/contracts';
import { fromTranscript } from '../src/index.js';

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

  test('lets the config say there is no public ML URL', () => {
    assert.equal(ClientConfigResponse.parse({ ml_public_url: null }).ml_public_url, null);
    assert.equal(ClientConfigResponse.safeParse({ ml_public_url: 'not a url' }).success, false);
  });
});
