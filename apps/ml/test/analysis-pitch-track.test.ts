/**
 * The pitch track measured beside whisper.cpp (pitch-track.ts) and its use by
 * the analysis: the same numbers as measuring after the transcript, whether
 * the track covers every frame, some (VAD regions) or none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TranscriptResult } from '@ecg/contracts';
import { analyzeRecording } from '../src/analysis/analyze-recording.js';
import { REGION_MARGIN_SECONDS, trackPitch, type PitchTrack } from '../src/analysis/pitch-track.js';
import { JFK_WAV } from './helpers/fixtures.js';

/** jfk.wav's first and last phrases, timed by hand (analysis-recording.test.ts has all of them). */
const WORDS: Array<[string, number, number]> = [
  ['And', 0.3, 0.55],
  ['so', 0.6, 0.95],
  ['my', 0.95, 1.28],
  ['fellow', 1.33, 1.62],
  ['Americans,', 1.62, 2.15],
  ['ask', 8.15, 8.46],
  ['what', 8.55, 8.78],
  ['you', 8.86, 9.14],
  ['can', 9.2, 9.42],
  ['do', 9.42, 9.64],
  ['for', 9.66, 9.82],
  ['your', 9.82, 10.0],
  ['country.', 10.0, 10.6],
];

function transcript(): TranscriptResult {
  const words = WORDS.map(([word, start, end]) => ({ word, start, end, probability: 0.9 }));
  return { text: WORDS.map(([w]) => w).join(' '), language: 'en', duration: 11, segments: [{ id: 0, start: 0.3, end: 10.6, text: '', words }] };
}

const pitches = (out: Awaited<ReturnType<typeof analyzeRecording>>) => out.result.segments.flatMap((s) => (s.words ?? []).map((w) => w.pitch_hz));

describe('pitch track beside transcription', () => {
  it('measures every frame without regions, and only frames near the regions with them', async () => {
    const all = await trackPitch({ wavPath: JFK_WAV });
    assert.equal(all.hop, 160);
    assert.equal(all.computed.indexOf(0), -1, 'every frame measured');
    assert.ok(all.f0.some((f) => f > 60 && f < 400), 'a voiced frame of speech has a speaking F0');

    const some = await trackPitch({ wavPath: JFK_WAV, regions: [{ start: 0.3, end: 2.15 }] });
    const frameAt = (s: number) => Math.round((s * 16000) / some.hop);
    assert.equal(some.computed[frameAt(1)], 1);
    assert.equal(some.computed[frameAt(2.15 + REGION_MARGIN_SECONDS + 0.1)], 0, 'a frame well past the region is left out');
    assert.equal(some.computed[frameAt(9)], 0);
    // Measured frames are the same numbers whatever else was measured, and whatever the block size.
    const small = await trackPitch({ wavPath: JFK_WAV, regions: [{ start: 0.3, end: 2.15 }], blockSeconds: 0.7 });
    for (let k = 0; k < some.f0.length; k++) {
      if (some.computed[k]) assert.equal(some.f0[k], all.f0[k], `frame ${k}`);
      if (some.computed[k]) assert.equal(small.f0[k], all.f0[k], `frame ${k}, small blocks`);
    }
  });

  it('gives the analysis the same result with a full track, a partial one, or none', async () => {
    const none = await analyzeRecording({ wavPath: JFK_WAV, result: transcript() });
    const full = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), pitch: await trackPitch({ wavPath: JFK_WAV }) });
    const partial = await analyzeRecording({
      wavPath: JFK_WAV,
      result: transcript(),
      // The first phrase only: the second's words are measured after the transcript.
      pitch: await trackPitch({ wavPath: JFK_WAV, regions: [{ start: 0.3, end: 2.15 }] }),
    });
    assert.ok(pitches(none).filter((p) => p !== null).length >= 8, `most words are voiced: ${pitches(none).join(',')}`);
    assert.deepEqual(full.result, none.result);
    assert.deepEqual(partial.result, none.result);
    assert.deepEqual(full.waveform, none.waveform);
  });

  it('takes the frames of the track as they are, and measures the rest itself', async () => {
    // A track whose first phrase says 123 Hz everywhere: words there must read 123, words past it their own pitch.
    const track = await trackPitch({ wavPath: JFK_WAV, regions: [{ start: 0.3, end: 2.15 }] });
    const planted: PitchTrack = { ...track, f0: track.f0.map((f, k) => (track.computed[k] ? 123 : f)) };
    const out = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), pitch: planted });
    const none = await analyzeRecording({ wavPath: JFK_WAV, result: transcript() });
    const got = pitches(out);
    const own = pitches(none);
    for (let i = 0; i < 5; i++) assert.equal(got[i], 123, `${WORDS[i]![0]}: from the track`);
    assert.deepEqual(got.slice(5), own.slice(5), 'words outside the track are measured as without one');
  });

  it('ignores a track measured with other settings', async () => {
    const track = await trackPitch({ wavPath: JFK_WAV, yinOptions: { threshold: 0.3 } });
    const planted: PitchTrack = { ...track, f0: track.f0.map(() => 123) };
    const out = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), pitch: planted });
    const none = await analyzeRecording({ wavPath: JFK_WAV, result: transcript() });
    assert.deepEqual(out.result, none.result);
  });

  it('measures only frames from fromSeconds on, reading no block before them', async () => {
    const all = await trackPitch({ wavPath: JFK_WAV });
    const later = await trackPitch({ wavPath: JFK_WAV, fromSeconds: 6, blockSeconds: 2 });
    const k0 = Math.ceil((6 * 16000) / later.hop);
    assert.equal(later.computed.subarray(0, k0).indexOf(1), -1, 'nothing before 6 s');
    assert.equal(later.computed.subarray(k0).indexOf(0), -1, 'every frame from 6 s on');
    for (let k = k0; k < later.f0.length; k++) assert.equal(later.f0[k], all.f0[k], `frame ${k}`);
  });

  it('gives the analysis the same result when another thread measures the later half of the track', async () => {
    const none = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), blockSeconds: 2 });
    const asked: number[] = [];
    const split = await analyzeRecording({
      wavPath: JFK_WAV,
      result: transcript(),
      blockSeconds: 2,
      laterPitch: (fromSeconds) => (asked.push(fromSeconds), trackPitch({ wavPath: JFK_WAV, fromSeconds })),
    });
    // 11 s in blocks of 2 s: the block boundary nearest the middle is 6 s.
    assert.deepEqual(asked, [6]);
    assert.deepEqual(split.result, none.result);
    assert.deepEqual(split.waveform, none.waveform);
    // A helper that fails or has nothing leaves every frame to the analysis itself.
    const failed = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), blockSeconds: 2, laterPitch: () => Promise.reject(new Error('thread gone')) });
    assert.deepEqual(failed.result, none.result);
  });

  it('takes the later half from that track and measures the first half itself', async () => {
    const none = pitches(await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), blockSeconds: 2 }));
    const got = pitches(
      await analyzeRecording({
        wavPath: JFK_WAV,
        result: transcript(),
        blockSeconds: 2,
        // 123 Hz in every frame the helper measured: only words past the split may read it.
        laterPitch: async (fromSeconds) => {
          const t = await trackPitch({ wavPath: JFK_WAV, fromSeconds });
          return { ...t, f0: t.f0.map((f, k) => (t.computed[k] ? 123 : f)) };
        },
      }),
    );
    assert.deepEqual(got.slice(0, 5), none.slice(0, 5), 'the first phrase (before 6 s) is measured by the analysis');
    for (let i = 5; i < WORDS.length; i++) assert.equal(got[i], 123, `${WORDS[i]![0]}: from the helper's track`);
  });

  it('does not split a recording of one block', async () => {
    let asked = 0;
    await analyzeRecording({ wavPath: JFK_WAV, result: transcript(), laterPitch: async () => (asked++, undefined) });
    assert.equal(asked, 0);
  });

  it('stops when aborted', async () => {
    await assert.rejects(trackPitch({ wavPath: JFK_WAV, signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});
