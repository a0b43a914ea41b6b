import { useId } from 'react';
import type { Caption } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../lib/format.js';
import type { Edge, WordRef } from '../lib/waveform-boundaries.js';

const STEPS = [-0.1, -0.01, 0.01, 0.1] as const;

interface Props {
  captions: readonly Caption[];
  /** The word the buttons act on; null when the captions have no word times. */
  word: WordRef | null;
  onStep: (dir: 1 | -1) => void;
  onNudge: (ref: WordRef, edge: Edge, delta: number) => void;
  onPlay: (ref: WordRef) => void;
}

/**
 * The keyboard way to retime a word: pick it (previous/next, or by clicking
 * it on the waveform or playing to it), then move its start or end in 10 ms
 * or 100 ms steps, with the same limits as dragging.
 */
export function WordTiming({ captions, word, onStep, onNudge, onPlay }: Props) {
  const { t } = useI18n();
  const headingId = useId();
  const w = word ? captions.find((c) => c.id === word.captionId)?.words[word.wordIndex] : undefined;
  const ms = (d: number): string => `${d > 0 ? '+' : '−'}${Math.round(Math.abs(d) * 1000)}`;
  const edgeRow = (edge: Edge) => {
    const what = t(edge === 'start' ? 'editor.start' : 'editor.end');
    return (
      <div className="word-edge" role="group" aria-label={t('wordTiming.edgeGroup', { what })}>
        <span className="word-edge-label">
          {what} <span className="word-edge-time">{w ? formatClock(w[edge]) : '–'}</span>
        </span>
        {STEPS.map((d) => (
          <button
            key={d}
            type="button"
            className="btn btn-small word-step"
            disabled={!word || !w}
            aria-label={t(d < 0 ? 'wordTiming.earlier' : 'wordTiming.later', { what, ms: Math.round(Math.abs(d) * 1000) })}
            onClick={() => word && onNudge(word, edge, d)}
          >
            {ms(d)}
          </button>
        ))}
      </div>
    );
  };
  return (
    <section className="word-timing" aria-labelledby={headingId}>
      <div className="word-timing-head">
        <h2 id={headingId} className="word-timing-title">
          {t('wordTiming.title')}
        </h2>
        <div className="word-pick">
          <button type="button" className="btn btn-small" aria-label={t('wordTiming.previous')} disabled={!word} onClick={() => onStep(-1)}>
            ‹
          </button>
          <span className="word-current" data-testid="word-timing-word">
            {w ? `“${w.word.trim()}”` : t('wordTiming.none')}
          </span>
          <button type="button" className="btn btn-small" aria-label={t('wordTiming.next')} disabled={!word} onClick={() => onStep(1)}>
            ›
          </button>
          <button type="button" className="btn btn-small" disabled={!word} onClick={() => word && onPlay(word)}>
            {t('wordTiming.play')}
          </button>
        </div>
      </div>
      {edgeRow('start')}
      {edgeRow('end')}
      <p className="hint">{t('wordTiming.hint')}</p>
    </section>
  );
}
