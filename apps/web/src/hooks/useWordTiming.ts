import { useCallback, useState, type RefObject } from 'react';
import type { EditRefusal, EditResult } from '@ecg/captions';
import type { Caption } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../lib/format.js';
import { nearestWord, stepWord, type Edge, type WordRef } from '../lib/waveform-boundaries.js';
import { clampEdge, edgeTime, setWordEdge } from '../lib/waveform-drag.js';
import type { PlaybackPosition } from './usePlaybackPosition.js';

interface Options {
  captions: readonly Caption[];
  pos: PlaybackPosition;
  videoRef: RefObject<HTMLVideoElement | null>;
  mediaEnd: number;
  apply: (edit: (current: Caption[]) => EditResult) => EditRefusal | null;
  seek: (time: number) => void;
  announce: (message: string) => void;
}

export interface WordTiming {
  /** The word the timing buttons act on: the one picked, else the one playing, else the next one. */
  activeWord: WordRef | null;
  pick: (ref: WordRef | null) => void;
  moveEdge: (at: WordRef, edge: Edge, time: number) => void;
  nudge: (ref: WordRef, edge: Edge, delta: number) => void;
  stepTo: (dir: 1 | -1) => void;
  playWord: (ref: WordRef) => void;
}

/**
 * Word-level retiming shared by the waveform and the word timing panel: a
 * word picked by hand stays the target until playback is sought elsewhere;
 * each move is one undoable edit, held between the word's neighbours, and
 * said out loud (or why it could not move).
 */
export function useWordTiming({ captions, pos, videoRef, mediaEnd, apply, seek, announce }: Options): WordTiming {
  const { t } = useI18n();
  const [picked, setPicked] = useState<WordRef | null>(null);

  const pickedExists = picked !== null && captions.find((c) => c.id === picked.captionId)?.words[picked.wordIndex] !== undefined;
  const playingCaption = pos.captionIndex >= 0 ? captions[pos.captionIndex] : undefined;
  const activeWord: WordRef | null = pickedExists
    ? picked
    : playingCaption && pos.wordIndex >= 0
      ? { captionId: playingCaption.id, wordIndex: pos.wordIndex }
      : nearestWord(captions, videoRef.current?.currentTime ?? 0);

  const wordText = (ref: WordRef): string => captions.find((c) => c.id === ref.captionId)?.words[ref.wordIndex]?.word.trim() ?? '';
  const edgeName = (edge: Edge): string => t(edge === 'start' ? 'editor.start' : 'editor.end');

  // Stable: the caption rows' actions are built on it, and they are memoised.
  const pick = useCallback((ref: WordRef | null): void => setPicked(ref && { captionId: ref.captionId, wordIndex: ref.wordIndex }), []);

  const moveEdge = (at: WordRef, edge: Edge, time: number): void => {
    const ref = { captionId: at.captionId, wordIndex: at.wordIndex };
    setPicked(ref);
    const reason = apply((cs) => setWordEdge(cs, ref, edge, time, mediaEnd));
    if (reason) announce(t(`refusal.${reason}`));
    else announce(t('wordTiming.moved', { word: wordText(ref), what: edgeName(edge), time: formatClock(time) }));
  };

  const nudge = (ref: WordRef, edge: Edge, delta: number): void => {
    const current = edgeTime(captions, ref, edge);
    if (current === null) return;
    const target = clampEdge(captions, ref, edge, current + delta, mediaEnd);
    if (target === null || target === current) {
      setPicked(ref);
      announce(t('wordTiming.atLimit', { word: wordText(ref), what: edgeName(edge) }));
      return;
    }
    moveEdge(ref, edge, target);
  };

  const stepTo = (dir: 1 | -1): void => {
    if (!activeWord) return;
    const next = stepWord(captions, activeWord, dir);
    if (!next) return;
    const w = captions.find((c) => c.id === next.captionId)?.words[next.wordIndex];
    if (w) seek(w.start);
    setPicked(next);
    announce(wordText(next));
  };

  const playWord = (ref: WordRef): void => {
    const w = captions.find((c) => c.id === ref.captionId)?.words[ref.wordIndex];
    const v = videoRef.current;
    if (!w || !v) return;
    setPicked(ref);
    v.currentTime = w.start;
    void v.play().catch(() => undefined); // autoplay refused: the seek alone still helps
  };

  return { activeWord, pick, moveEdge, nudge, stepTo, playWord };
}
