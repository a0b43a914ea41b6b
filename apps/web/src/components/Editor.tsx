import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { toVtt } from '@ecg/captions';
import type { Caption, TranscriptResult } from '@ecg/contracts';
import { getMedia } from '../api/backend.js';
import { useCaptionEditor } from '../hooks/useCaptionEditor.js';
import { useExpressivePrefs } from '../hooks/useExpressivePrefs.js';
import { usePlaybackPosition } from '../hooks/usePlaybackPosition.js';
import { useRender } from '../hooks/useRender.js';
import { useWaveform } from '../hooks/useWaveform.js';
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../lib/format.js';
import { localFileName } from '../lib/recent-jobs.js';
import { nearestWord, stepWord, type Edge, type WordRef } from '../lib/waveform-boundaries.js';
import { clampEdge, edgeTime, setWordEdge } from '../lib/waveform-drag.js';
import { useAnnounce } from './Announcer.js';
import { CaptionRow, type RowActions } from './CaptionRow.js';
import { ErrorNotice } from './ErrorNotice.js';
import { ExportBar } from './ExportBar.js';
import { ExpressiveControls } from './ExpressiveControls.js';
import { ExpressiveOverlay } from './ExpressiveOverlay.js';
import { RenderPanel } from './RenderPanel.js';
import { SaveStatus } from './SaveStatus.js';
import { Waveform } from './Waveform.js';
import { WordTiming } from './WordTiming.js';

const TRACK_REBUILD_MS = 300;

type Media = { kind: 'loading' } | { kind: 'ready'; url: string; fileName: string | null } | { kind: 'none'; fileName: string | null };

/** A Blob URL of the captions as WebVTT for the player, rebuilt shortly after edits stop. */
function useVttUrl(captions: Caption[]): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      setUrl(URL.createObjectURL(new Blob([toVtt(captions)], { type: 'text/vtt' })));
    }, TRACK_REBUILD_MS);
    return () => clearTimeout(timer);
  }, [captions]);
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  return url;
}

/** The video's length once known (Infinity before), for clamping the last word and scrolling the waveform. */
function useMediaEnd(el: HTMLVideoElement | null): number {
  const [end, setEnd] = useState(Infinity);
  useEffect(() => {
    if (!el) return;
    const read = (): void => setEnd(Number.isFinite(el.duration) && el.duration > 0 ? el.duration : Infinity);
    read();
    el.addEventListener('durationchange', read);
    el.addEventListener('loadedmetadata', read);
    return () => {
      el.removeEventListener('durationchange', read);
      el.removeEventListener('loadedmetadata', read);
    };
  }, [el]);
  return end;
}

/** Whether `el` itself is fullscreen: the overlay is not shown there, so the native captions come back. */
function useIsFullscreen(el: HTMLElement | null): boolean {
  const [full, setFull] = useState(false);
  useEffect(() => {
    const read = (): void => setFull(el !== null && document.fullscreenElement === el);
    read();
    document.addEventListener('fullscreenchange', read);
    return () => document.removeEventListener('fullscreenchange', read);
  }, [el]);
  return full;
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function Editor({ jobId, result }: { jobId: string; result: TranscriptResult }) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const ed = useCaptionEditor(jobId, result);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  // The element also lives in state: it mounts only once both the captions and
  // the media URL have loaded, and the playback hook must re-attach then.
  const [videoEl, setVideoEl] = useState<HTMLVideoElement | null>(null);
  const attachVideo = useCallback((el: HTMLVideoElement | null) => {
    videoRef.current = el;
    setVideoEl(el);
  }, []);
  const listRef = useRef<HTMLOListElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [media, setMedia] = useState<Media>({ kind: 'loading' });
  const pos = usePlaybackPosition(videoEl, ed.captions);
  const vttUrl = useVttUrl(ed.captions);
  const [prefs, setPrefs] = useExpressivePrefs();
  const waveform = useWaveform(jobId);
  const render = useRender(jobId, ed.flush);
  const mediaEnd = useMediaEnd(videoEl);
  const fullscreen = useIsFullscreen(videoEl);
  const overlayOn = prefs.enabled && !fullscreen;
  const [pickedWord, setPickedWord] = useState<WordRef | null>(null);
  const fileName = media.kind === 'loading' ? (localFileName(jobId) ?? null) : (media.fileName ?? localFileName(jobId) ?? null);

  useEffect(() => {
    let live = true;
    getMedia(jobId)
      .then((m) => live && setMedia({ kind: 'ready', url: m.url, fileName: m.file_name ?? null }))
      .catch(() => live && setMedia({ kind: 'none', fileName: null }));
    return () => {
      live = false;
    };
  }, [jobId]);

  // The newest track is shown and the older ones hidden: a <track> whose src
  // changes is not reloaded by browsers, so each rebuild mounts a new one.
  useEffect(() => {
    const tracks = videoRef.current?.textTracks;
    if (!tracks) return;
    // With the expressive overlay on, the newest track stays loaded but hidden: the overlay draws the captions.
    const newest = overlayOn ? 'hidden' : 'showing';
    for (let i = 0; i < tracks.length; i++) tracks[i]!.mode = i === tracks.length - 1 ? newest : 'disabled';
  }, [vttUrl, videoEl, overlayOn]);

  const { undo, redo, canUndo, canRedo, dirty } = ed;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        if (canUndo) {
          undo();
          announce(t('editor.undo'));
        }
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        if (canRedo) {
          redo();
          announce(t('editor.redo'));
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, canUndo, canRedo, announce, t]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent): void => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Keep the caption being played in view, unless the person is editing one.
  useEffect(() => {
    if (pos.captionIndex < 0 || selected !== null || videoRef.current?.paused) return;
    const row = listRef.current?.children[pos.captionIndex];
    if (row instanceof HTMLElement) row.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [pos.captionIndex, selected]);

  const saveState = ed.save.kind;
  useEffect(() => {
    if (saveState === 'saved') announce(t('save.saved'));
    if (saveState === 'failed') announce(t('save.failed'));
    if (saveState === 'conflict') announce(t('save.conflict'));
  }, [saveState, announce, t]);

  const { apply } = ed;
  const actions = useMemo<RowActions>(
    () => ({
      select: setSelected,
      seek: (time) => {
        const v = videoRef.current;
        if (v) v.currentTime = time + 0.001; // a hair past the start, so the caption itself is current
        // The word timing panel follows the playhead again, to the word just sought.
        setPickedWord(null);
      },
      apply: (edit) => {
        const reason = apply(edit);
        if (reason) announce(t(`refusal.${reason}`));
        return reason;
      },
      playhead: () => videoRef.current?.currentTime ?? null,
    }),
    [apply, announce, t],
  );

  // The word the timing buttons act on: the one picked, else the one playing, else the next one.
  const { captions } = ed;
  const pickedExists = pickedWord !== null && captions.find((c) => c.id === pickedWord.captionId)?.words[pickedWord.wordIndex] !== undefined;
  const playingCaption = pos.captionIndex >= 0 ? captions[pos.captionIndex] : undefined;
  const activeWord: WordRef | null = pickedExists
    ? pickedWord
    : playingCaption && pos.wordIndex >= 0
      ? { captionId: playingCaption.id, wordIndex: pos.wordIndex }
      : nearestWord(captions, videoRef.current?.currentTime ?? 0);

  const wordText = (ref: WordRef): string => captions.find((c) => c.id === ref.captionId)?.words[ref.wordIndex]?.word.trim() ?? '';
  const edgeName = (edge: Edge): string => t(edge === 'start' ? 'editor.start' : 'editor.end');

  const moveEdge = (at: WordRef, edge: Edge, time: number): void => {
    const ref = { captionId: at.captionId, wordIndex: at.wordIndex };
    setPickedWord(ref);
    const reason = apply((cs) => setWordEdge(cs, ref, edge, time, mediaEnd));
    if (reason) announce(t(`refusal.${reason}`));
    else announce(t('wordTiming.moved', { word: wordText(ref), what: edgeName(edge), time: formatClock(time) }));
  };

  const nudge = (ref: WordRef, edge: Edge, delta: number): void => {
    const current = edgeTime(captions, ref, edge);
    if (current === null) return;
    const target = clampEdge(captions, ref, edge, current + delta, mediaEnd);
    if (target === null || target === current) {
      setPickedWord(ref);
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
    if (w) actions.seek(w.start);
    setPickedWord(next);
    announce(wordText(next));
  };

  const playWord = (ref: WordRef): void => {
    const w = captions.find((c) => c.id === ref.captionId)?.words[ref.wordIndex];
    const v = videoRef.current;
    if (!w || !v) return;
    setPickedWord(ref);
    v.currentTime = w.start;
    void v.play().catch(() => undefined); // autoplay refused: the seek alone still helps
  };

  if (ed.load.kind === 'loading') {
    return (
      <p className="status-line" role="status">
        <span className="spinner" aria-hidden="true" /> {t('job.loading')}
      </p>
    );
  }
  if (ed.load.kind === 'error') {
    return (
      <ErrorNotice code={ed.load.code}>
        <button type="button" className="btn" onClick={() => void ed.reload()}>
          {t('upload.retry')}
        </button>
      </ErrorNotice>
    );
  }

  return (
    <div className="editor">
      <div className="editor-bar">
        <div className="editor-title">
          <h1>{fileName ?? t('editor.title')}</h1>
          <p className="hint">
            {ed.captions.length === 1 ? t('editor.captionCountOne') : t('editor.captionCount', { count: ed.captions.length })} · {ed.edited ? t('editor.edited') : t('editor.original')}
          </p>
        </div>
        <SaveStatus state={ed.save} onRetry={() => void ed.retry()} onReload={() => void ed.reload()} onOverwrite={ed.overwrite} />
        <div className="editor-tools" role="toolbar" aria-label={t('editor.title')}>
          <button type="button" className="btn btn-small" onClick={ed.undo} disabled={!ed.canUndo} aria-keyshortcuts="Control+Z Meta+Z">
            ↶ {t('editor.undo')}
          </button>
          <button type="button" className="btn btn-small" onClick={ed.redo} disabled={!ed.canRedo} aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z">
            ↷ {t('editor.redo')}
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!ed.edited && !ed.canUndo}
            onClick={() => {
              if (window.confirm(t('editor.restoreConfirm'))) void ed.restore();
            }}
          >
            {t('editor.restore')}
          </button>
        </div>
        <ExportBar
          jobId={jobId}
          captions={ed.captions}
          fileName={fileName}
          language={result.language}
          expressive={prefs.enabled}
          strength={prefs.strength}
          flush={ed.flush}
        />
      </div>

      <div className="editor-body">
        <section className="player" aria-label={t('editor.video')}>
          {media.kind === 'ready' ? (
            <div className="video-frame">
              <video ref={attachVideo} className="video" src={media.url} controls preload="metadata" playsInline>
                {vttUrl && <track key={vttUrl} kind="subtitles" src={vttUrl} srcLang={result.language} label={t('editor.track')} default />}
              </video>
              {overlayOn && (
                <ExpressiveOverlay
                  caption={playingCaption}
                  wordIndex={pos.wordIndex}
                  time={videoEl?.currentTime ?? 0}
                  strength={prefs.strength}
                  language={result.language}
                />
              )}
            </div>
          ) : media.kind === 'none' ? (
            <p className="notice notice-warn">{t('editor.noMedia')}</p>
          ) : (
            <div className="video video-placeholder" aria-hidden="true" />
          )}
          <ExpressiveControls prefs={prefs} onChange={setPrefs} />
          <Waveform
            state={waveform}
            captions={ed.captions}
            video={videoEl}
            mediaEnd={mediaEnd}
            selectedWord={activeWord}
            onSelectWord={(ref) => setPickedWord({ captionId: ref.captionId, wordIndex: ref.wordIndex })}
            onSeek={actions.seek}
            onMoveEdge={moveEdge}
          />
          <WordTiming captions={ed.captions} word={activeWord} onStep={stepTo} onNudge={nudge} onPlay={playWord} />
          <RenderPanel
            state={render.state}
            expressive={prefs.enabled}
            strength={prefs.strength}
            disabled={ed.captions.length === 0}
            onStart={() => void render.start(prefs.enabled, prefs.strength)}
          />
          <p className="hint">{t('editor.shortcuts')}</p>
        </section>

        <section className="transcript" aria-label={t('editor.listLabel')}>
          {ed.captions.length === 0 ? (
            <p className="hint">{t('editor.empty')}</p>
          ) : (
            <ol className="cap-list" ref={listRef} lang={result.language}>
              {ed.captions.map((c, i) => (
                <CaptionRow
                  key={c.id}
                  caption={c}
                  index={i}
                  isLast={i === ed.captions.length - 1}
                  selected={selected === c.id}
                  current={pos.captionIndex === i}
                  wordIndex={pos.captionIndex === i ? pos.wordIndex : -1}
                  actions={actions}
                />
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
