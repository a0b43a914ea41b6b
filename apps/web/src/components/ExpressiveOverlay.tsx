import type { CSSProperties } from 'react';
import { speakerLines, wordSpeaker } from '@ecg/captions';
import type { Caption, CaptionSpeaker } from '@ecg/contracts';
import { captionLines } from '../lib/caption-qc.js';
import { wordLines } from '../lib/caption-lines.js';
import { emphasisLook, emphasisOf, speakerTint } from '../lib/expressive-style.js';

interface Props {
  caption: Caption | undefined;
  wordIndex: number;
  /** The playhead when the word last changed: words ended by then are drawn as spoken. */
  time: number;
  strength: number;
  language?: string;
  /** The job's speakers: with more than one, each speaker's words take their colour. */
  speakers: readonly CaptionSpeaker[];
}

/** The speaker's colour as a custom property the stylesheet applies (to spoken words; to a whole line without word times). */
function tinted(tint: string | undefined, style: CSSProperties = {}): CSSProperties {
  // React sets custom properties through style.setProperty, which the CSP's style-src does not govern.
  return tint === undefined ? style : { ...style, ['--speaker' as string]: tint };
}

/**
 * The current caption drawn over the video the way the expressive ASS export
 * styles it: loud words larger, whispered words smaller and lighter, words
 * not yet spoken greyed as in karaoke, the word being spoken highlighted,
 * and its line breaks kept (a two-line caption is two lines, as exported).
 * With more than one speaker, each speaker's words are drawn in their
 * colour once spoken, as the ASS export colours them.
 * Hidden from screen readers: the transcript beside the video has the text.
 */
export function ExpressiveOverlay({ caption, wordIndex, time, strength, language, speakers }: Props) {
  if (!caption) return null;
  const lines = caption.words.length > 0 ? wordLines(caption.text, caption.words) : null;
  const lineSpeakers = lines ? null : speakerLines(caption).map((l) => l.speaker);
  return (
    <div className="expressive-overlay" aria-hidden="true" data-testid="expressive-overlay">
      <p className="expressive-line" lang={language}>
        {lines
          ? lines.map((indexes, n) => (
              <span key={n} className="expressive-row">
                {indexes.map((i, k) => {
                  const w = caption.words[i]!;
                  const emphasis = emphasisOf(w);
                  const look = emphasisLook(emphasis, strength);
                  const when = i === wordIndex ? ' is-current' : w.end <= time ? ' is-spoken' : '';
                  const tint = speakerTint(speakers, wordSpeaker(caption, w));
                  return (
                    <span
                      key={i}
                      className={`xw xw-${emphasis}${when}${tint ? ' has-speaker' : ''}`}
                      style={tinted(tint, { fontSize: `${look.scale}em`, opacity: look.opacity })}
                    >
                      {k === 0 ? w.word.trimStart() : w.word}
                    </span>
                  );
                })}
              </span>
            ))
          : captionLines(caption.text).map((line, n) => {
              const tint = speakerTint(speakers, lineSpeakers?.[n] ?? caption.speaker);
              return (
                <span key={n} className={`expressive-row${tint ? ' has-speaker' : ''}`} style={tinted(tint)}>
                  {line}
                </span>
              );
            })}
      </p>
    </div>
  );
}
