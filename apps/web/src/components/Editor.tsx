import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { defaultSpeakerName, nextSpeakerId } from '@ecg/captions';
import type { TranscriptResult } from '@ecg/contracts';
import { useCaptionEditor } from '../hooks/useCaptionEditor.js';
import { useCaptionQc } from '../hooks/useCaptionQc.js';
import { useExpressivePrefs } from '../hooks/useExpressivePrefs.js';
import { useIsFullscreen } from '../hooks/useIsFullscreen.js';
import { useJobMedia } from '../hooks/useJobMedia.js';
import { useLeaveWarning } from '../hooks/useLeaveWarning.js';
import { useMediaEnd } from '../hooks/useMediaEnd.js';
import { usePlaybackPosition } from '../hooks/usePlaybackPosition.js';
import { useRender } from '../hooks/useRender.js';
import { useThumbnails } from '../hooks/useThumbnails.js';
import { useTrackModes } from '../hooks/useTrackModes.js';
import { browserIsMac, useSpeakerShortcuts } from '../hooks/useSpeakerShortcuts.js';
import { useUndoShortcuts } from '../hooks/useUndoShortcuts.js';
import { useVttUrl } from '../hooks/useVttUrl.js';
import { useWaveform } from '../hooks/useWaveform.js';
import { useWordTiming } from '../hooks/useWordTiming.js';
import { useI18n } from '../i18n/i18n.js';
import { checkOptions, NO_ISSUES, qcEntries, type QcEntry } from '../lib/caption-qc.js';
import { localFileName } from '../lib/recent-jobs.js';
import { canAddSpeaker, captionsShownFor, filterAfterMerge, speakerCaptionCounts, speakerRefusalKey } from '../lib/speaker-edits.js';
import { speakerKeyModifier } from '../lib/speaker-keys.js';
import { speakerTalkTime } from '../lib/speaker-talk-time.js';
import { useAnnounce } from './Announcer.js';
import { CaptionQcPanel } from './CaptionQcPanel.js';
import { CaptionRow, type RowActions, type RowChecks, type RowSpeakers } from './CaptionRow.js';
import { ErrorNotice } from './ErrorNotice.js';
import { ExportBar } from './ExportBar.js';
import { ExpressiveControls } from './ExpressiveControls.js';
import { ExpressiveOverlay } from './ExpressiveOverlay.js';
import { RenderPanel } from './RenderPanel.js';
import { SaveStatus } from './SaveStatus.js';
import { SpeakersPanel } from './SpeakersPanel.js';
import { Waveform } from './Waveform.js';
import { WordTiming } from './WordTiming.js';

const NO_SHOTS: readonly number[] = [];

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
  const media = useJobMedia(jobId);
  const pos = usePlaybackPosition(videoEl, ed.captions);
  const vttUrl = useVttUrl(ed.captions);
  const [prefs, setPrefs] = useExpressivePrefs();
  const waveform = useWaveform(jobId);
  const thumbnails = useThumbnails(jobId);
  const render = useRender(jobId, ed.flush);
  const mediaEnd = useMediaEnd(videoEl);
  const fullscreen = useIsFullscreen(videoEl);
  const overlayOn = prefs.enabled && !fullscreen;
  const fileName = media.kind === 'loading' ? (localFileName(jobId) ?? null) : (media.fileName ?? localFileName(jobId) ?? null);
  useTrackModes(videoEl, vttUrl, overlayOn);

  // Checked here, live, against the profile the captions were laid out by and the video's shot changes.
  const options = useMemo(() => checkOptions(result), [result]);
  const checks = useMemo<RowChecks>(() => ({ profile: ed.layout.profile, options }), [ed.layout.profile, options]);
  const qc = useCaptionQc(ed.captions, checks.profile, options);
  const entries = useMemo(() => qcEntries(ed.captions, qc.issues), [ed.captions, qc.issues]);

  const { undo, redo, canUndo, canRedo, dirty } = ed;
  const announceUndo = useCallback(() => announce(t('editor.undo')), [announce, t]);
  const announceRedo = useCallback(() => announce(t('editor.redo')), [announce, t]);
  useUndoShortcuts({ undo, redo, canUndo, canRedo, announceUndo, announceRedo });
  useLeaveWarning(dirty);

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

  const { apply, reassign } = ed;
  const seekVideo = useCallback((time: number) => {
    const v = videoRef.current;
    if (v) v.currentTime = time + 0.001; // a hair past the start, so the caption itself is current
  }, []);
  const timing = useWordTiming({ captions: ed.captions, pos, videoRef, mediaEnd, apply, seek: seekVideo, announce });
  const { pick } = timing;
  const actions = useMemo<RowActions>(
    () => ({
      select: setSelected,
      seek: (time) => {
        seekVideo(time);
        // The word timing panel follows the playhead again, to the word just sought.
        pick(null);
      },
      apply: (edit) => {
        const reason = apply(edit);
        if (reason) announce(t(`refusal.${reason}`));
        return reason;
      },
      playhead: () => videoRef.current?.currentTime ?? null,
      give: (captionId, n, target, fromChar) => {
        const outcome = reassign(captionId, target, fromChar);
        if (outcome.ok) {
          announce(t(fromChar === undefined ? 'speakers.assigned' : 'speakers.assignedFrom', { n, name: outcome.speaker.name }));
        } else {
          announce(t(speakerRefusalKey(outcome.reason)));
        }
        return outcome;
      },
    }),
    [apply, reassign, announce, t, seekVideo, pick],
  );

  // Speakers: names and colours for every row, the filter, and what a new speaker would be called.
  const { captions: allCaptions, speakers } = ed;
  const newSpeakerName = canAddSpeaker({ captions: allCaptions, speakers }) ? defaultSpeakerName(nextSpeakerId(speakers, allCaptions)) : null;
  const rowSpeakers = useMemo<RowSpeakers>(() => ({ list: speakers, newName: newSpeakerName }), [speakers, newSpeakerName]);
  const speakerCounts = useMemo(() => speakerCaptionCounts(allCaptions), [allCaptions]);
  const talkTimes = useMemo(() => speakerTalkTime(allCaptions), [allCaptions]);
  const [speakerFilter, setSpeakerFilter] = useState<string | null>(null);
  // A reload or an undo may take the filtered speaker away; then every caption shows again.
  const filterOn = speakerFilter !== null && speakers.some((s) => s.id === speakerFilter) ? speakerFilter : null;
  const shownIds = useMemo(() => captionsShownFor(allCaptions, filterOn), [allCaptions, filterOn]);
  const { mergeSpeakers } = ed;
  const mergeSpeaker = useCallback(
    (from: string, into: string): boolean => {
      if (!mergeSpeakers(from, into)) return false;
      // A filter on the merged speaker follows its captions, rather than falling back to all of them.
      setSpeakerFilter((f) => filterAfterMerge(f, from, into));
      return true;
    },
    [mergeSpeakers],
  );

  // Alt+digit (Ctrl+Option+digit on macOS) gives the open caption to a speaker, as the chip's menu does.
  const mac = useMemo(browserIsMac, []);
  const keyMod = speakerKeyModifier(mac);
  const giveByKey = useCallback(
    (captionId: string, target: string) => {
      const n = allCaptions.findIndex((c) => c.id === captionId) + 1;
      if (n > 0) actions.give(captionId, n, target);
    },
    [allCaptions, actions],
  );
  const noSpeakerByKey = useCallback((n: number) => announce(t('speakers.keyNoSpeaker', { n, mod: keyMod })), [announce, t, keyMod]);
  useSpeakerShortcuts({ selected, speakers, mac, give: giveByKey, noSpeaker: noSpeakerByKey });

  const { reflow } = ed;
  const reflowAll = useCallback(
    async (request: Parameters<typeof reflow>[0]) => {
      const outcome = await reflow(request);
      // New captions, new ids: an open form would now show whichever caption took its id.
      if (outcome.ok) setSelected(null);
      return outcome;
    },
    [reflow],
  );

  // A QC entry plays its caption and opens it for editing with the text focused, even when it was open already.
  const [jump, setJump] = useState<{ id: string; n: number } | null>(null);
  const jumpTo = (entry: QcEntry): void => {
    // A caption the speaker filter hides cannot be shown or focused: show them all again.
    if (shownIds && !shownIds.has(entry.captionId)) setSpeakerFilter(null);
    actions.seek(entry.start);
    setSelected(entry.captionId);
    setJump((j) => ({ id: entry.captionId, n: (j?.n ?? 0) + 1 }));
  };
  useEffect(() => {
    if (!jump) return;
    const row = listRef.current?.querySelector(`li[data-caption-id="${CSS.escape(jump.id)}"]`);
    if (!(row instanceof HTMLElement)) return;
    row.scrollIntoView({ block: 'nearest' });
    row.querySelector('textarea')?.focus();
  }, [jump]);

  const { captions } = ed;
  const playingCaption = pos.captionIndex >= 0 ? captions[pos.captionIndex] : undefined;

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
          speakers={ed.speakers}
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
                  speakers={speakers}
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
            shotChanges={result.video?.shot_changes ?? NO_SHOTS}
            thumbnails={thumbnails}
            selectedWord={timing.activeWord}
            onSelectWord={pick}
            onSeek={actions.seek}
            onMoveEdge={timing.moveEdge}
          />
          <WordTiming captions={ed.captions} word={timing.activeWord} onStep={timing.stepTo} onNudge={timing.nudge} onPlay={timing.playWord} />
          <RenderPanel
            state={render.state}
            expressive={prefs.enabled}
            strength={prefs.strength}
            disabled={ed.captions.length === 0}
            onStart={() => void render.start(prefs.enabled, prefs.strength)}
          />
          <p className="hint" data-testid="shortcuts">
            {t('editor.shortcuts', { mod: keyMod })}
          </p>
        </section>

        <div className="editor-side">
          <CaptionQcPanel entries={entries} layout={ed.layout} onJump={jumpTo} onReflow={reflowAll} disabled={ed.captions.length === 0} />
          {speakers.length > 0 && (
            <SpeakersPanel
              speakers={speakers}
              counts={speakerCounts}
              talkTimes={talkTimes}
              onRename={ed.renameSpeaker}
              onMerge={mergeSpeaker}
              filter={filterOn}
              onFilter={setSpeakerFilter}
              shown={shownIds?.size ?? captions.length}
              total={captions.length}
            />
          )}
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
                    issues={qc.byCaption.get(c.id) ?? NO_ISSUES}
                    checks={checks}
                    speakers={rowSpeakers}
                    hidden={shownIds !== null && !shownIds.has(c.id)}
                  />
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
