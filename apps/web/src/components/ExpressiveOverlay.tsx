import type { Caption } from '@ecg/contracts';
import { captionLines } from '../lib/caption-qc.js';
import { wordLines } from '../lib/caption-lines.js';
import { emphasisLook, emphasisOf } from '../lib/expressive-style.js';

interface Props {
  caption: Caption | undefined;
  wordIndex: number;
  /** The playhead when the word last changed: words ended by then are drawn as spoken. */
  time: number;
  strength: number;
  language?: string;
}

/**
 * The current caption drawn over the video the way the expressive ASS export
 * styles it: loud words larger, whispered words smaller and lighter, words
 * not yet spoken greyed as in karaoke, the word being spoken highlighted,
 * and its line breaks kept (a two-line caption is two lines, as exported).
 * Hidden from screen readers: the transcript beside the video has the text.
 */
export function ExpressiveOverlay({ caption, wordIndex, time, strength, language }: Props) {
  if (!caption) return null;
  const lines = caption.words.length > 0 ? wordLines(caption.text, caption.words) : null;
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
                  return (
                    <span key={i} className={`xw xw-${emphasis}${when}`} style={{ fontSize: `${look.scale}em`, opacity: look.opacity }}>
                      {k === 0 ? w.word.trimStart() : w.word}
                    </span>
                  );
                })}
              </span>
            ))
          : captionLines(caption.text).map((line, n) => (
              <span key={n} className="expressive-row">
                {line}
              </span>
            ))}
      </p>
    </div>
  );
}
