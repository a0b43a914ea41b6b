import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TranscriptResult } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { readAudioFields } from '../src/routes/openai/audio-fields.js';
import { failureStatus } from '../src/routes/openai/audio-request.js';
import { averageLogProbability, compressionRatio, openAiLanguageName, openAiSegment, verboseTranscription } from '../src/routes/openai/audio-response.js';
import { openAiModelList } from '../src/routes/openai/models.js';
import { toOpenAiError } from '../src/routes/openai/openai-errors.js';

const form = (entries: Record<string, string | string[]>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v : [v]] as const));

function refusal(fn: () => unknown): { code: string; param: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServiceError);
    return { code: err.code, param: (err.details as { param?: unknown } | undefined)?.param };
  }
  assert.fail('expected a refusal');
}

describe('the fields of an OpenAI audio request', () => {
  it('reads a full transcription request: json by default, granularities once each, decode options as given', () => {
    const r = readAudioFields(
      form({ model: 'whisper-1', language: 'KO', prompt: 'ECG', temperature: '0.2', 'timestamp_granularities[]': ['word', 'segment', 'word'] }),
      'transcribe',
    );
    assert.deepEqual(r, {
      model: 'whisper-1',
      language: 'ko',
      format: 'json',
      granularities: ['word', 'segment'],
      decode: { task: 'transcribe', prompt: 'ECG', temperature: 0.2 },
    });
  });

  it('a translation takes no language or granularities (OpenAI has neither) and always says translate', () => {
    const r = readAudioFields(form({ model: 'whisper-1', language: 'ko', 'timestamp_granularities[]': 'word', response_format: 'srt' }), 'translate');
    assert.equal(r.language, undefined);
    assert.deepEqual(r.granularities, []);
    assert.deepEqual(r.decode, { task: 'translate' });
    assert.equal(r.format, 'srt');
  });

  it('refuses each bad field with 400 VALIDATION_ERROR naming it', () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'model'],
      [{ model: 'whisper-1', response_format: 'docx' }, 'response_format'],
      [{ model: 'whisper-1', language: 'klingon' }, 'language'],
      [{ model: 'whisper-1', temperature: '1.5' }, 'temperature'],
      [{ model: 'whisper-1', temperature: 'warm' }, 'temperature'],
      [{ model: 'whisper-1', 'timestamp_granularities[]': 'sentence' }, 'timestamp_granularities'],
      [{ model: 'whisper-1', prompt: 'x'.repeat(4001) }, 'prompt'],
      [{ model: 'whisper-1', stream: 'true' }, 'stream'],
    ];
    for (const [fields, param] of cases) {
      assert.deepEqual(refusal(() => readAudioFields(form(fields), 'transcribe')), { code: 'VALIDATION_ERROR', param }, JSON.stringify(fields));
    }
  });
});

const result: TranscriptResult = {
  text: ' Ask not what your country can do for you.',
  language: 'en',
  duration: 11,
  segments: [
    {
      id: 0,
      start: 0.3,
      end: 4.2,
      text: 'Ask not what your country',
      words: [
        { word: ' Ask', start: 0.3, end: 0.6, probability: 0.9 },
        { word: ' not', start: 0.6, end: 1, probability: 0.5 },
      ],
    },
    { id: 1, start: 31, end: 33, text: 'can do for you.' },
  ],
};

describe('verbose_json from a transcript', () => {
  it('has segments by default and words only when asked, and OpenAI’s language name', () => {
    const plain = verboseTranscription(result, { task: 'transcribe', granularities: [], temperature: undefined });
    assert.equal(plain.language, 'english');
    assert.equal(plain.text, 'Ask not what your country can do for you.');
    assert.equal(plain.segments?.length, 2);
    assert.equal(plain.words, undefined);
    const words = verboseTranscription(result, { task: 'transcribe', granularities: ['word'], temperature: 0.4 });
    assert.equal(words.segments, undefined, 'word alone leaves segments out, as OpenAI does');
    assert.deepEqual(words.words, [
      { word: 'Ask', start: 0.3, end: 0.6 },
      { word: 'not', start: 0.6, end: 1 },
    ]);
    assert.deepEqual(verboseTranscription(result, { task: 'translate', granularities: ['word', 'segment'], temperature: 0 }).task, 'translate');
  });

  it('fills a segment’s Whisper fields from what ECG keeps', () => {
    const s = openAiSegment(result.segments[1]!, 1, 0.4);
    assert.equal(s.seek, 3000, 'the 30-s window the segment starts in, in 10-ms frames');
    assert.equal(s.text, ' can do for you.', 'Whisper’s segments start with a space');
    assert.equal(s.temperature, 0.4);
    assert.equal(s.avg_logprob, 0, 'no words: no probabilities to average');
    assert.ok(Math.abs(averageLogProbability(result.segments[0]!) - (Math.log(0.9) + Math.log(0.5)) / 2) < 1e-12);
    assert.ok(compressionRatio('la '.repeat(100)) > 5, 'a repeated text compresses well: a high ratio, as Whisper flags loops');
    assert.equal(compressionRatio(''), 0);
    assert.equal(openAiLanguageName('ko'), 'korean');
    assert.equal(openAiLanguageName('xx'), 'xx');
  });
});

describe('errors and models in OpenAI’s shapes', () => {
  it('puts ECG’s code in code and the field in param, with OpenAI’s type by status', () => {
    assert.deepEqual(toOpenAiError(400, { error: { code: 'VALIDATION_ERROR', message: 'bad', details: { param: 'model' } } }), {
      error: { message: 'bad', type: 'invalid_request_error', param: 'model', code: 'VALIDATION_ERROR' },
    });
    const schema = toOpenAiError(400, { error: { code: 'VALIDATION_ERROR', message: 'x', details: [{ field: 'params.model', message: 'm' }] } });
    assert.equal(schema.error.param, 'model');
    assert.equal(toOpenAiError(503, { error: { code: 'MODEL_UNAVAILABLE', message: 'x' } }).error.type, 'server_error');
    assert.equal(toOpenAiError(429, { error: { code: 'RATE_LIMITED', message: 'x' } }).error.type, 'rate_limit_error');
    assert.equal(toOpenAiError(404, { error: { code: 'NOT_FOUND', message: 'x' } }).error.param, null);
  });

  it('answers a job that failed on its file as the client’s fault, anything else as the server’s', () => {
    for (const code of ['UNSUPPORTED_MEDIA', 'NO_AUDIO_TRACK', 'MEDIA_DECODE_ERROR', 'MEDIA_TOO_LONG'] as const) assert.equal(failureStatus(code), 400, code);
    assert.equal(failureStatus('PROCESSING_TIMEOUT'), 504);
    assert.equal(failureStatus('MODEL_UNAVAILABLE'), 503);
    assert.equal(failureStatus('TRANSCRIPTION_ERROR'), 500);
    assert.equal(failureStatus(null), 500);
  });

  it('lists the installed models with whisper-1 first, standing for the active one', () => {
    const list = openAiModelList({
      active: 'base',
      models: [
        { name: 'base', file: 'ggml-base.bin', bytes: 1, created: 100 },
        { name: 'tiny', file: 'ggml-tiny.bin', bytes: 1, created: 200 },
      ],
    });
    assert.deepEqual(
      list.data.map((m) => [m.id, m.created]),
      [
        ['whisper-1', 100],
        ['base', 100],
        ['tiny', 200],
      ],
    );
    assert.deepEqual(openAiModelList({ active: null, models: [] }), { object: 'list', data: [] });
  });
});
