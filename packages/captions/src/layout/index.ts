/**
 * The caption layout engine (issue "Captions, not transcripts"): captions cut
 * from word timings by the rules of a subtitle profile. Pure and
 * deterministic: no clock, no randomness, no I/O; the same input always
 * gives the same captions.
 *
 *   resolveProfile(request?: CaptionLayoutRequest, language?: string): CaptionProfile
 *     The concrete profile: `request.profile` or the transcript language's
 *     (profileForLanguage), the vertical variant if `request.vertical`, then
 *     `request.overrides`. Validate the request with the CaptionLayoutRequest
 *     schema (@ecg/contracts) first; out-of-range overrides fail there.
 *
 *   profileForLanguage(lang: string | null | undefined): CaptionProfileName
 *     Whisper's code (en, ko, ja, zh, de, …) or a BCP 47 tag to a profile
 *     name: en, ko, ja; zh → zh-hans (zh-Hant, zh-TW, zh-HK, yue → zh-hant);
 *     anything else, or nothing, → latin.
 *
 *   captionProfile(name: CaptionProfileName, vertical?: boolean): CaptionProfile
 *     A published profile as it stands; profiles.ts has every figure's source.
 *
 *   layoutCaptions(words: CaptionWord[], profile: CaptionProfile, options?: LayoutOptions): Caption[]
 *     options: { shotChanges?: number[] (s), speakers?: SpeakerTurn[] ({ start, end, speaker }),
 *                fps?: number (24 when unknown) }
 *     Speakers are the words' own (`word.speaker`, from the diarizer or the
 *     editor); `speakers` turns stand in for words without one.
 *     Words in order as Whisper gives them (a leading space marks a word
 *     boundary; Japanese and Chinese tokens usually have none), after
 *     captionWordFields. The captions satisfy the Caption contract (ids c0,
 *     c1, …; line breaks are "\n" in `text`) and:
 *     - every word object appears exactly once, in order, untouched (timing
 *       and analysis fields included); whitespace-only words ride with the
 *       next visible word, and a stream with no visible word gives [];
 *     - at most max_lines lines, none wider than max_chars_per_line unless it
 *       is a single word longer than a line;
 *     - one speaker per caption: a speaker change starts a new caption,
 *       except a dash caption (Netflix "Dual Speakers"): two lines, one per
 *       speaker, when one of them alone would flash (shorter than
 *       min_duration or faster than the reading speed; segment-captions.ts);
 *       caption.speaker is its first word's speaker;
 *     - captions never overlap, and each gap is at least min_gap_frames;
 *     - durations at most max_duration, at least min_duration wherever the
 *       next caption leaves room;
 *     - cuts where the guides put them (sentence end, clause punctuation,
 *       long pause, shot change, then any space; English
 *       article/preposition rules, Korean spaces only, Japanese/Chinese
 *       kinsoku), two-line captions balanced, no one-word orphan when a
 *       neighbour can take the word, times snapped to shot changes.
 *     Where the rules cannot all hold (speech faster than the reading speed),
 *     words and hard limits win: the caption stays, and checkCaptions reports
 *     it as too_fast.
 *
 *   reflowCaptions(captions: Caption[], profile: CaptionProfile, options?: LayoutOptions): Caption[]
 *     Saved (possibly edited) captions laid out again, every text edit kept:
 *     a caption's words are used if they still spell its text, otherwise
 *     words are cut from its text and timed across its span. New ids.
 *
 *   checkCaptions(captions: Caption[], profile: CaptionProfile, options?: { shotChanges?, fps? }): CaptionIssue[]
 *     Every rule each caption breaks ({ caption_id, rule, value, limit,
 *     message }), as a subtitle QC report lists them; [] for the engine's
 *     own output wherever the rules can hold.
 *
 * Times in and out are seconds; inside, the engine works in whole
 * milliseconds, so the checked times are the ones an SRT file writes.
 */
export { layoutCaptions, type LayoutOptions, type SpeakerTurn } from './layout-captions.js';
export { reflowCaptions } from './reflow-captions.js';
export { checkCaptions, readingChars, type CheckOptions } from './check-captions.js';
export { captionProfile, isCaptionProfile, profileForLanguage, resolveProfile } from './profiles.js';
export { textWidth, widthScheme, type WidthScheme } from './text-width.js';
export { DEFAULT_FPS } from './time-captions.js';
