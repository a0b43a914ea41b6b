import { CaptionProfileName, SpeakerId, type Caption, type CaptionProfile, type CaptionWord } from '@ecg/contracts';
import { readingChars, shotTimesMs } from './check-captions.js';
import { layoutTokens, type LayoutToken, type TokenSource } from './layout-tokens.js';
import { captionProfile } from './profiles.js';
import { segmentCaptions, type CaptionPlan } from './segment-captions.js';
import { charWidth, widthScheme } from './text-width.js';
import { timeCaptions, timingRules } from './time-captions.js';

/** Who speaks when (seconds), from diarization. */
export interface SpeakerTurn {
  start: number;
  end: number;
  speaker: string;
}

export interface LayoutOptions {
  /** Shot-change times, seconds, from the video analysis. */
  shotChanges?: readonly number[];
  /**
   * Speaker turns, for words without a `speaker` of their own (older
   * transcripts): a change of speaker starts a new caption. Words' own
   * speakers come first.
   */
  speakers?: readonly SpeakerTurn[];
  /** The video's frame rate; 24 when unknown (see DEFAULT_FPS). */
  fps?: number;
}

/**
 * A profile the engine can run on, whatever it was given: a value outside
 * the contract's range (a caller that skipped validation) becomes the named
 * profile's own, and an unknown name becomes `latin`. The contract keeps
 * such values from HTTP callers; this keeps them from crashing the engine.
 */
function saneProfile(profile: CaptionProfile): CaptionProfile {
  const name = CaptionProfileName.safeParse(profile.name).success ? profile.name : 'latin';
  const base = captionProfile(name, profile.vertical === true);
  const pick = (v: number, lo: number, hi: number, fallback: number, integer: boolean): number =>
    Number.isFinite(v) && v >= lo && v <= hi ? (integer ? Math.floor(v) : v) : fallback;
  const maxDuration = pick(profile.max_duration, 1, 30, base.max_duration, false);
  return {
    name,
    vertical: base.vertical,
    max_chars_per_line: pick(profile.max_chars_per_line, 1, 10_000, base.max_chars_per_line, true),
    max_lines: pick(profile.max_lines, 1, 10, base.max_lines, true),
    min_duration: Math.min(maxDuration, pick(profile.min_duration, 0, 30, base.min_duration, false)),
    max_duration: maxDuration,
    min_gap_frames: pick(profile.min_gap_frames, 0, 240, base.min_gap_frames, true),
    max_chars_per_second: pick(profile.max_chars_per_second, 0.1, 1000, base.max_chars_per_second, false),
  };
}

/** The turn holding each token's middle, if any. */
function turnSpeakers(tokens: readonly LayoutToken[], turns: readonly SpeakerTurn[] | undefined): Array<string | undefined> {
  const sorted = (turns ?? [])
    .filter((t) => Number.isFinite(t.start) && Number.isFinite(t.end) && typeof t.speaker === 'string')
    .map((t) => ({ start: t.start * 1000, end: t.end * 1000, speaker: t.speaker }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  if (sorted.length === 0) return tokens.map(() => undefined);
  return tokens.map((token) => {
    const mid = (token.start + token.end) / 2;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sorted[m]!.start <= mid) lo = m + 1;
      else hi = m;
    }
    // Turns may overlap: look back a few turns for one still running.
    for (let k = lo - 1; k >= 0 && k >= lo - 8; k--) if (sorted[k]!.end >= mid) return sorted[k]!.speaker;
    return undefined;
  });
}

/** The speaker a token's visible word carries itself. */
function ownSpeaker(token: LayoutToken): string | undefined {
  return (token.words.find((w) => w.word.trim() !== '') ?? token.words[0])?.speaker;
}

interface TokenSpeakers {
  /** Who speaks each token: its own or its turn's speaker, with the gaps filled by the speaker before (or, at the start, after): what the segmenter cuts by. */
  filled: Array<string | undefined>;
  /** Whether the token's speaker is its word's own. */
  own: boolean[];
}

/**
 * Each token's speaker: its word's own, else the turn's. A token nobody
 * names is taken as the speaker before it, so an unknown word between two
 * speakers cannot hide the change from the segmenter.
 */
function tokenSpeakers(tokens: readonly LayoutToken[], turns: readonly SpeakerTurn[] | undefined): TokenSpeakers {
  const fromTurns = turnSpeakers(tokens, turns);
  const own = tokens.map((t) => ownSpeaker(t) !== undefined);
  const said = tokens.map((t, m) => ownSpeaker(t) ?? fromTurns[m]);
  const filled = [...said];
  let last = filled.find((s) => s !== undefined);
  for (let m = 0; m < filled.length; m++) {
    if (filled[m] === undefined) filled[m] = last;
    else last = filled[m];
  }
  return { filled, own };
}

function lineTexts(tokens: readonly LayoutToken[], plan: CaptionPlan): string {
  const bounds = [...plan.lineStarts, plan.to];
  const lines: string[] = [];
  for (let l = 0; l + 1 < bounds.length; l++) {
    let line = '';
    for (let m = bounds[l]!; m < bounds[l + 1]!; m++) {
      const t = tokens[m]!;
      line += m > bounds[l]! && t.spaceBefore ? ` ${t.text}` : t.text;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Lays out tokens from any source: the shared core of layoutCaptions and reflowCaptions. */
export function layoutSources(sources: readonly TokenSource[], profile: CaptionProfile, options: LayoutOptions = {}): Caption[] {
  const p = saneProfile(profile);
  const scheme = widthScheme(p.name);
  const tokens = layoutTokens(sources, scheme);
  const rules = timingRules(p, options.fps);
  const shots = shotTimesMs(options.shotChanges);
  const speakers = tokenSpeakers(tokens, options.speakers);
  const plans = segmentCaptions({
    tokens,
    profile: p,
    rules,
    spaceWidth: charWidth(' ', scheme),
    shots,
    speakers: speakers.filled,
    dashable: speakers.own,
  });
  const texts = plans.map((plan) => lineTexts(tokens, plan));
  const times = timeCaptions(
    plans.map((plan, k) => {
      let speechEnd = 0;
      for (let m = plan.from; m < plan.to; m++) speechEnd = Math.max(speechEnd, tokens[m]!.end);
      return { start: tokens[plan.from]!.start, speechEnd, chars: readingChars(texts[k]!, p) };
    }),
    rules,
    shots,
  );
  return plans.map((plan, k) => {
    const words: CaptionWord[] = [];
    for (let m = plan.from; m < plan.to; m++) words.push(...tokens[m]!.words);
    const caption: Caption = { id: `c${k}`, start: times[k]!.start / 1000, end: times[k]!.end / 1000, text: texts[k]!, words };
    // Opened by its first word's speaker (a first word without one is the next named word's, as
    // the segmenter took it); a turn's speaker only when it is an id the contract takes.
    const speaker = speakers.filled[plan.from];
    if (speaker !== undefined && SpeakerId.safeParse(speaker).success) caption.speaker = speaker;
    return caption;
  });
}

/**
 * Captions from word timings (not from Whisper's segments): see index.ts for
 * what the result guarantees.
 */
export function layoutCaptions(words: readonly CaptionWord[], profile: CaptionProfile, options: LayoutOptions = {}): Caption[] {
  // Whisper's own words carry a leading space where a word starts; the ML service's are trimmed
  // (apps/ml/src/pipeline/assemble-result.ts joins word pieces first). A stream without a single
  // leading space is such a list of whole words: each is spaced from the last, except between two
  // characters of scripts written without spaces (joinTexts), so Japanese and Chinese stay unspaced.
  const trimmed = words.slice(1).every((w) => !/^\s/.test(w.word));
  return layoutSources(
    words.map((word) => (trimmed ? { word, spaceBefore: true } : { word })),
    profile,
    options,
  );
}
