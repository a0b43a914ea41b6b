import type { Caption } from '@ecg/contracts';
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
 * not yet spoken greyed as in karaoke, the word being spoken highlighted.
 * Hidden from screen readers: the transcript beside the video has the text.
 */
export function ExpressiveOverlay({ caption, wordIndex, time, strength, language }: Props) {
  if (!caption) return null;
  return (
    <div className="expressive-overlay" aria-hidden="true" data-testid="expressive-overlay">
      <p className="expressive-line" lang={language}>
        {caption.words.length > 0
          ? caption.words.map((w, i) => {
              const emphasis = emphasisOf(w);
              const look = emphasisLook(emphasis, strength);
              const when = i === wordIndex ? ' is-current' : w.end <= time ? ' is-spoken' : '';
              return (
                <span key={i} className={`xw xw-${emphasis}${when}`} style={{ fontSize: `${look.scale}em`, opacity: look.opacity }}>
                  {i === 0 ? w.word.trimStart() : w.word}
                </span>
              );
            })
          : caption.text}
      </p>
    </div>
  );
}
