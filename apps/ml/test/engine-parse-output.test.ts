import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampSegmentToAudio,
  escapeControlCharsInStrings,
  parseAudioSecondsLine,
  mapProcessedTime,
  parseProgressLine,
  parseSegmentLine,
  parseVadMapping,
  parseVadSpeechRegions,
  parseWhisperJson,
} from '../src/engine/parse-whisper-output.js';
import { dtwPresetFor, whisperCliArgs } from '../src/engine/whisper-cli-engine.js';

test('progress lines parse to percent and are clamped to 100', () => {
  assert.equal(parseProgressLine('whisper_print_progress_callback: progress =  45%'), 45);
  assert.equal(parseProgressLine('whisper_print_progress_callback: progress = 355%'), 100);
  assert.equal(parseProgressLine('whisper_init: loading'), null);
});

test('segment lines parse to seconds, including past one hour', () => {
  assert.deepEqual(parseSegmentLine('[01:02:05.500 --> 01:02:07.000]   hello there'), { start: 3725.5, end: 3727, text: 'hello there' });
  assert.deepEqual(parseSegmentLine('[00:00:00.000 --> 00:00:02.240]  '), { start: 0, end: 2.24, text: '' });
  assert.equal(parseSegmentLine('main: processing'), null);
});

// Raw bytes of a JSON file, pieced together so tokens can hold partial UTF-8 sequences.
const bytes = (...parts: Array<string | Buffer>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

test('byte-split UTF-8 tokens (invalid UTF-8 in the file) are re-joined into whole characters', () => {
  const han = Buffer.from('한', 'utf8'); // 3 bytes, split 2 + 1 across tokens
  const json = bytes(
    '{"result":{"language":"ko"},"transcription":[{"offsets":{"from":0,"to":1000},"text":" ',
    han,
    '","tokens":[{"text":"[_BEG_]","offsets":{"from":0,"to":0},"p":1},{"text":" ',
    han.subarray(0, 2),
    '","offsets":{"from":0,"to":400},"p":0.8},{"text":"',
    han.subarray(2),
    '","offsets":{"from":400,"to":900},"p":0.6}]}]}',
  );
  const t = parseWhisperJson(json, { seconds: 1 });
  assert.equal(t.language, 'ko');
  assert.equal(t.segments[0]!.text, '한');
  const words = t.segments[0]!.tokens!.filter((x) => !x.special);
  assert.deepEqual(words.map((w) => [w.text, w.start, w.end, w.probability]), [[' 한', 0, 0.9, 0.6]]);
  assert.equal(t.segments[0]!.tokens![0]!.special, true);
});

test('a newline byte inside a token does not make the file unreadable', () => {
  const json = '{"result":{"language":"en"},\n"transcription":[{"offsets":{"from":0,"to":500},"text":" a\nb","tokens":[]}]}';
  assert.equal(parseWhisperJson(Buffer.from(json), { seconds: 0 }).segments[0]!.text, 'a\nb');
  assert.equal(escapeControlCharsInStrings('{\n"a":"x\ty"}'), '{\n"a":"x\\u0009y"}');
});

test('DTW token times, when present, replace the token-timestamp heuristic', () => {
  const json = JSON.stringify({
    result: { language: 'en' },
    transcription: [
      {
        offsets: { from: 0, to: 2000 },
        text: ' ask not',
        tokens: [
          { text: ' ask', offsets: { from: 0, to: 900 }, p: 0.9, t_dtw: 30 },
          { text: ' not', offsets: { from: 900, to: 2000 }, p: 0.8, t_dtw: 75 },
          { text: '[_TT_100]', offsets: { from: 2000, to: 2000 }, p: 1, t_dtw: -1 },
        ],
      },
    ],
  });
  const tokens = parseWhisperJson(Buffer.from(json), { seconds: 0 }).segments[0]!.tokens!;
  assert.deepEqual(tokens.filter((t) => !t.special).map((t) => [t.start, t.end]), [[0.3, 0.75], [0.75, 2]]);
});

// The lines whisper-cli logs for jfk.wav with the Silero VAD model (measured).
const JFK_VAD_LOG = [
  'whisper_vad: vad_segment_info: orig_start: 0.32, orig_end: 2.27, vad_start: 0.00, vad_end: 1.95',
  'whisper_vad: vad_segment_info: orig_start: 3.27, orig_end: 4.41, vad_start: 2.15, vad_end: 3.29',
  'whisper_vad: vad_segment_info: orig_start: 5.38, orig_end: 7.68, vad_start: 3.49, vad_end: 5.79',
  'whisper_vad: vad_segment_info: orig_start: 8.16, orig_end: 10.62, vad_start: 5.99, vad_end: 8.45',
];

test('the VAD time map is rebuilt from whisper-cli’s log exactly as whisper.cpp builds it', () => {
  const map = parseVadMapping(['unrelated line', ...JFK_VAD_LOG]);
  // 4 chunks × 2 points + 3 gaps; whisper.cpp logs "Created time mapping table with 11 points".
  assert.equal(map.length, 11);
  assert.ok(map.every((p, i) => i === 0 || p.processed > map[i - 1]!.processed));
  assert.equal(mapProcessedTime(0, map), 0.32);
  assert.ok(Math.abs(mapProcessedTime(0.64, map) - 0.96) < 1e-9, 'inside a chunk: shifted by its start');
  assert.ok(Math.abs(mapProcessedTime(2.2, map) - 3.32) < 1e-9, 'second chunk');
  assert.ok(Math.abs(mapProcessedTime(2.1, map) - 2.77) < 1e-9, 'the 0.1 s gap spans the removed silence');
  assert.equal(mapProcessedTime(29.76, map), 10.62, 'past the end: clamped to the last chunk end');
  assert.deepEqual(parseVadMapping(['whisper_vad: detected 0 speech segments']), []);
});

test('the speech regions whisper-cli’s VAD found are read from its log, only when the log holds all it announced', () => {
  const log = [
    'whisper_vad_segments_from_probs: Final speech segments after filtering: 2',
    'whisper_vad_segments_from_probs: VAD segment 0: start = 0.32, end = 2.27 (duration: 1.95)',
    'whisper_vad: vad_segment_info: orig_start: 0.32, orig_end: 2.27, vad_start: 0.00, vad_end: 1.95',
    'whisper_vad_segments_from_probs: VAD segment 1: start = 3.27, end = 4.41 (duration: 1.14)',
  ];
  assert.deepEqual(parseVadSpeechRegions(log), [{ start: 0.32, end: 2.27 }, { start: 3.27, end: 4.41 }]);
  assert.deepEqual(parseVadSpeechRegions(['whisper_vad_segments_from_probs: Final speech segments after filtering: 0']), [], 'VAD ran, no speech');
  assert.equal(parseVadSpeechRegions(log.slice(0, 2)), null, 'one region missing: not trusted');
  assert.equal(parseVadSpeechRegions(['main: processing', 'VAD segment 0: start = 1.00, end = 2.00 (duration: 1.00)']), null, 'no count: VAD off');
});

test('with VAD, token times are mapped back to the file, like whisper-cli maps segment times', () => {
  const json = JSON.stringify({
    result: { language: 'en' },
    transcription: [{ offsets: { from: 940, to: 10620 }, text: ' x y', tokens: [{ text: ' x', offsets: { from: 640, to: 1270 }, p: 0.5 }, { text: ' y', offsets: { from: 2200, to: 2400 }, p: 0.5 }] }],
  });
  const tokens = parseWhisperJson(Buffer.from(json), { seconds: 0, vadMapping: parseVadMapping(JFK_VAD_LOG), vadRequested: true }).segments[0]!.tokens!;
  assert.deepEqual(tokens.map((t) => [Number(t.start.toFixed(3)), Number(t.end.toFixed(3))]), [[0.96, 1.59], [3.32, 3.52]]);
  // Without a map (log format changed), tokens are shifted onto their segment instead of left in speech-only time.
  const shifted = parseWhisperJson(Buffer.from(json), { seconds: 0, vadRequested: true }).segments[0]!.tokens!;
  assert.equal(shifted[0]!.start, 0.94);
});

test('anything that is not whisper-cli JSON is refused', () => {
  assert.throws(() => parseWhisperJson(Buffer.from('{"foo":1}'), { seconds: 0 }), /transcription/);
  assert.throws(() => parseWhisperJson(Buffer.from('not json'), { seconds: 0 }));
  assert.throws(() => parseWhisperJson(Buffer.from(''), { seconds: 0 }));
});

test('DTW is used only for files named like an official model that also have its shape', () => {
  const tinyShape = { nTextLayer: 4, nTextHead: 6, nTextState: 384, nVocab: 51865 };
  assert.equal(dtwPresetFor('/m/ggml-tiny.bin', tinyShape), 'tiny');
  assert.equal(dtwPresetFor('/m/ggml-large-v3-turbo-q5_0.bin', { nTextLayer: 4, nTextHead: 20, nTextState: 1280, nVocab: 51866 }), 'large.v3.turbo');
  assert.equal(dtwPresetFor('/m/ggml-base.bin', tinyShape), null, 'a renamed model keeps DTW off');
  assert.equal(dtwPresetFor('/m/my-finetune.bin', tinyShape), null);
  assert.equal(dtwPresetFor('/m/ggml-tiny.bin', null), null);
});

test('whisper-cli gets progress, full JSON, no fallback, VAD and DTW flags as asked', () => {
  const req = { audioPath: 'a.wav', modelPath: 'm.bin', language: '', threads: 0, temperatureFallback: false, vadModelPath: 'v.bin' };
  const args = whisperCliArgs(req, '/tmp/out', 'base.en');
  assert.deepEqual(args.slice(0, 8), ['-m', 'm.bin', '-f', 'a.wav', '-l', 'auto', '-t', '1']);
  for (const flag of ['-pp', '-ojf', '-nf', '--vad']) assert.ok(args.includes(flag), flag);
  assert.equal(args[args.indexOf('-of') + 1], '/tmp/out');
  assert.equal(args[args.indexOf('-vm') + 1], 'v.bin');
  assert.equal(args[args.indexOf('--dtw') + 1], 'base.en');
  assert.ok(args.includes('-nfa'), 'DTW is ignored by whisper.cpp unless flash attention is off');
  const plain = whisperCliArgs({ ...req, temperatureFallback: true, vadModelPath: undefined, language: 'ko', threads: 4 }, '/tmp/out', null);
  assert.ok(!plain.includes('-nf') && !plain.includes('--vad') && !plain.includes('--dtw') && !plain.includes('-nfa'));
  assert.equal(plain[plain.indexOf('-l') + 1], 'ko');
});

test('the audio length is read from whisper-cli’s "processing" line and pins segment and token times', () => {
  const line = "main: processing '/x/jfk.wav' (176000 samples, 11.0 sec), 2 threads, 1 processors, 5 beams + best of 5, lang = en";
  assert.equal(parseAudioSecondsLine(line), 11);
  assert.equal(parseAudioSecondsLine('main: done'), null);
  const seg = { start: 0.62, end: 30, text: 'x', tokens: [{ text: ' x', start: 10.5, end: 29, probability: 1, special: false }] };
  const pinned = clampSegmentToAudio(seg, 11);
  assert.deepEqual([pinned.start, pinned.end, pinned.tokens[0]!.start, pinned.tokens[0]!.end], [0.62, 11, 10.5, 11]);
  assert.equal(clampSegmentToAudio(seg, null), seg, 'unknown length: untouched');
  const json = JSON.stringify({ result: { language: 'en' }, transcription: [{ offsets: { from: 620, to: 30000 }, text: ' x', tokens: [] }] });
  assert.equal(parseWhisperJson(Buffer.from(json), { seconds: 0, audioSeconds: 11 }).segments[0]!.end, 11);
});

test('a beam width is passed through when set, and whisper-cli keeps its own default otherwise', () => {
  const req = { audioPath: 'a.wav', modelPath: 'm.bin', language: 'en', threads: 2, temperatureFallback: true };
  const greedy = whisperCliArgs(req, '/tmp/o', null, 1);
  assert.equal(greedy[greedy.indexOf('-bs') + 1], '1');
  assert.ok(!whisperCliArgs(req, '/tmp/o', null).includes('-bs'));
});

test('translate, a prompt and a temperature reach whisper-cli as -tr, --prompt and -tp, and only when asked', () => {
  const req = { audioPath: 'a.wav', modelPath: 'm.bin', language: 'ko', threads: 2, temperatureFallback: false };
  const plain = whisperCliArgs(req, '/tmp/o', null);
  for (const flag of ['-tr', '--prompt', '-tp']) assert.ok(!plain.includes(flag), `${flag} without being asked`);
  assert.ok(!whisperCliArgs({ ...req, task: 'transcribe' }, '/tmp/o', null).includes('-tr'));
  const prompt = 'ECG, "Whisper"; $HOME -tr';
  const args = whisperCliArgs({ ...req, task: 'translate', prompt, temperature: 0.4 }, '/tmp/o', null);
  assert.ok(args.includes('-tr'));
  assert.equal(args[args.indexOf('--prompt') + 1], prompt, 'the prompt is one argument, unquoted and unsplit');
  assert.equal(args[args.indexOf('-tp') + 1], '0.4');
  assert.equal(whisperCliArgs({ ...req, temperature: 0 }, '/tmp/o', null).at(-1), '0', 'a temperature of 0 is passed, not dropped');
  assert.ok(!whisperCliArgs({ ...req, prompt: '' }, '/tmp/o', null).includes('--prompt'), 'an empty prompt is no prompt');
});

test('whisper output never carries U+0000 or another control character; tab and newline stay', () => {
  const json = bytes(
    '{"result":{"language":"en"},"transcription":[{"offsets":{"from":0,"to":500},"text":" a',
    Buffer.from([0x00]),
    'b',
    Buffer.from([0x1b, 0x0d]),
    'c\\td","tokens":[{"text":" a',
    Buffer.from([0x00]),
    '","offsets":{"from":0,"to":200},"p":0.9},{"text":"b\\u0007c","offsets":{"from":200,"to":500},"p":0.9}]}]}',
  );
  const seg = parseWhisperJson(json, { seconds: 0 }).segments[0]!;
  assert.equal(seg.text, 'abc\td');
  assert.deepEqual(seg.tokens!.map((t) => t.text), [' a', 'bc']);
  assert.deepEqual(parseSegmentLine('[00:00:00.000 --> 00:00:01.000]  hi\u0000 there\u0001'), { start: 0, end: 1, text: 'hi there' });
});
