/**
 * The "done when" for caption layout, end to end through the real
 * backend: a long speech transcript (word timings derived from a speaking
 * rate, pauses at punctuation, Whisper-sized segments of 20–40 s) comes out
 * of the SRT export with every line within its profile's limit, no event
 * over 7 s, none under 5/6 s where the pauses allow, and events snapped to
 * the shot changes of the video analysis.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { captionProfile, textWidth, widthScheme } from '@ecg/captions';
import type { Caption, CaptionDocument, CaptionProfileName, TranscriptResult, TranscriptSegment, TranscriptWord } from '@ecg/contracts';
import { seededRandom } from '../../../tests/helpers/seeded-random.js';
import { completedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

const FPS = 25;
const FRAME = 1 / FPS;


/**
 * Word timings as a speaker produces them: each word takes time by its
 * length (English letters, Korean syllables), with pauses after commas,
 * sentences and paragraphs, and Whisper-like segments of 20–40 s.
 */
function speak(text: string, language: 'en' | 'ko', seed: number): { result: TranscriptResult; shotChanges: number[] } {
  const next = seededRandom(seed);
  const words: TranscriptWord[] = [];
  let t = 0.8;
  for (const paragraph of text.trim().split('\n')) {
    for (const token of paragraph.split(/\s+/).filter((w) => w !== '')) {
      const units = Array.from(token.replace(/[^\p{L}\p{N}]/gu, '')).length;
      const perUnit = language === 'ko' ? 0.16 : 0.06;
      const duration = Math.max(0.12, units * perUnit * (0.8 + 0.4 * next()));
      // As the ML service delivers them (assemble-result.ts): words trimmed, the segment text spaced.
      words.push({ word: token, start: round(t), end: round(t + duration), probability: 0.9 });
      t += duration + 0.04 + 0.06 * next();
      if (/[.?!]$/.test(token)) t += 0.5 + 0.6 * next();
      else if (/[,;:]$/.test(token)) t += 0.15 + 0.25 * next();
    }
    t += 1.2;
  }
  const segments: TranscriptSegment[] = [];
  let from = 0;
  while (from < words.length) {
    let to = from;
    while (to < words.length - 1 && words[to + 1]!.end - words[from]!.start < 20 + 20 * next()) to += 1;
    const slice = words.slice(from, to + 1);
    segments.push({ id: segments.length, start: slice[0]!.start, end: slice.at(-1)!.end, text: slice.map((w) => ` ${w.word}`).join(''), words: slice });
    from = to + 1;
  }
  // A cut every 2–9 s, on frame boundaries, as a video's shot changes fall.
  const shotChanges: number[] = [];
  for (let s = 2 + 7 * next(); s < t; s += 2 + 7 * next()) shotChanges.push(Math.round(s * FPS) / FPS);
  return {
    result: {
      text: segments.map((s) => s.text).join(''),
      language,
      duration: round(t),
      segments,
      video: { fps: FPS, width: 1920, height: 1080, shot_changes: shotChanges },
    },
    shotChanges,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

interface Cue {
  start: number;
  end: number;
  lines: string[];
}

function parseSrt(srt: string): Cue[] {
  const time = (s: string) => {
    const m = /^(\d\d):(\d\d):(\d\d),(\d{3})$/.exec(s.trim());
    assert.ok(m, `a timestamp: ${s}`);
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
  };
  return srt
    .trim()
    .split(/\n\n/)
    .map((block) => {
      const [, timing, ...lines] = block.split('\n');
      const [a, b] = timing!.split(' --> ');
      return { start: time(a!), end: time(b!), lines };
    });
}

function checkSrt(cues: Cue[], profileName: CaptionProfileName, spokenWords: number): void {
  const profile = captionProfile(profileName);
  const scheme = widthScheme(profileName);
  assert.ok(cues.length > 20, `${cues.length} cues`);
  assert.equal(cues.flatMap((c) => c.lines.join(' ').split(/\s+/)).length, spokenWords, 'every word is in the SRT once');
  let tooShortWithRoom = 0;
  cues.forEach((cue, i) => {
    assert.ok(cue.lines.length >= 1 && cue.lines.length <= profile.max_lines, `cue ${i + 1} has ${cue.lines.length} lines`);
    for (const line of cue.lines) {
      assert.ok(textWidth(line, scheme) <= profile.max_chars_per_line, `cue ${i + 1}: "${line}" is ${textWidth(line, scheme)} wide`);
    }
    const duration = cue.end - cue.start;
    assert.ok(duration <= profile.max_duration + 1e-9, `cue ${i + 1} lasts ${duration} s`);
    const next = cues[i + 1];
    if (next) {
      assert.ok(next.start - cue.end >= 2 * FRAME - 1e-3, `cues ${i + 1} and ${i + 2} are ${next.start - cue.end} s apart`);
      // Too short is only excused when the next cue leaves no room to reach the minimum.
      if (duration < profile.min_duration - 1e-3 && next.start - cue.start >= profile.min_duration + 2 * FRAME) tooShortWithRoom += 1;
    }
  });
  assert.equal(tooShortWithRoom, 0, 'no cue shorter than 5/6 s where the pauses allow');
}

/**
 * Netflix's shot-change rules, wherever speech lets them hold: a start 1–12
 * frames after a cut or 1–7 before it belongs on the cut (unless the
 * previous caption is still being spoken across it), and an end 3–11 frames
 * before a cut belongs 2 frames before it (unless the next caption starts
 * before the cut). Returns the times that could have been snapped and were not.
 */
function unsnappedTimes(captions: Caption[], shotChanges: number[]): string[] {
  const missed: string[] = [];
  captions.forEach((c, i) => {
    const prev = captions[i - 1];
    const next = captions[i + 1];
    for (const cut of shotChanges) {
      const fromStart = c.start - cut;
      const prevSpeechEnd = prev?.words.at(-1)?.end ?? 0;
      const startBelongsOnCut = (fromStart > 1e-3 && fromStart < 12 * FRAME - 1e-3) || (fromStart < -1e-3 && fromStart > -7.5 * FRAME);
      if (startBelongsOnCut && prevSpeechEnd <= cut - 2 * FRAME) missed.push(`start of ${c.id} at ${c.start} (cut ${cut})`);
      const toEnd = cut - c.end;
      if (toEnd > 2 * FRAME + 1e-3 && toEnd < 12 * FRAME - 1e-3 && (!next || next.start >= cut)) missed.push(`end of ${c.id} at ${c.end} (cut ${cut})`);
    }
  });
  return missed;
}

/** Caption times sitting exactly where the rules put them: on a cut, or 2 frames before one. */
function snappedTimes(captions: Caption[], shotChanges: number[]): number {
  const near = (a: number, b: number) => Math.abs(a - b) < 1.5e-3;
  return captions.filter((c) => shotChanges.some((cut) => near(c.start, cut) || near(c.end, cut - 2 * FRAME))).length;
}

describe('a long speech transcript comes out of the SRT export as subtitles', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
  });
  after(async () => {
    await b?.destroy();
  });
  const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
  const srtOf = async (id: string) => (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=srt` })).body;
  const captionsOf = async (id: string) =>
    (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` })).json<CaptionDocument>().captions;

  it('English: the 1961 inaugural address, 42 characters a line', async () => {
    const { result, shotChanges } = speak(fixture('inaugural-1961-excerpt.txt'), 'en', 1961);
    assert.ok(result.segments.some((s) => s.text.length > 300), 'Whisper-sized segments, far over a subtitle line');
    const id = await completedJob(b.app, 'inaugural.mp4', result);
    const words = result.segments.reduce((n, s) => n + s.words!.length, 0);
    checkSrt(parseSrt(await srtOf(id)), 'en', words);
    const captions = await captionsOf(id);
    assert.deepEqual(unsnappedTimes(captions, shotChanges), []);
    assert.ok(snappedTimes(captions, shotChanges) >= 3, 'captions were actually moved onto shot changes');
  });

  it('Korean: a spoken talk, 16 a line with Latin, digits, spaces and punctuation as half', async () => {
    const { result, shotChanges } = speak(fixture('korean-talk.txt'), 'ko', 82);
    const id = await completedJob(b.app, 'talk.mp4', result);
    const words = result.segments.reduce((n, s) => n + s.words!.length, 0);
    checkSrt(parseSrt(await srtOf(id)), 'ko', words);
    const captions = await captionsOf(id);
    assert.deepEqual(unsnappedTimes(captions, shotChanges), []);
    assert.ok(snappedTimes(captions, shotChanges) >= 3, 'captions were actually moved onto shot changes');
  });
});
