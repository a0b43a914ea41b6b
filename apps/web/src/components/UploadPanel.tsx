import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import {
  ACCEPTED_EXTENSIONS,
  ACCEPTED_MEDIA_TYPES,
  extensionOf,
  isAcceptedUpload,
  mediaTypeForExtension,
  normaliseMediaType,
} from '@ecg/contracts';
import { generateUploadUrl, getClientConfig, requestProcess } from '../api/backend.js';
import { ApiError, asApiError, type ClientErrorCode } from '../api/http.js';
import { uploadFile, type UploadProgress } from '../api/upload.js';
import { useI18n } from '../i18n/i18n.js';
import { AUTO_PROFILE, layoutRequestFor, profileLabel, PROFILE_NAMES, readProfileName, type ProfileChoice } from '../lib/caption-profiles.js';
import { formatBytes, formatSpan } from '../lib/format.js';
import { probeDuration } from '../lib/media-probe.js';
import { rememberJob } from '../lib/recent-jobs.js';
import { readSpeakerCount, SPEAKER_COUNT_CHOICES, speakerCountRequest, type SpeakerCountChoice } from '../lib/speaker-count.js';
import { navigate } from '../lib/router.js';
import { spokenLanguageOptions } from '../lib/spoken-languages.js';
import { useAnnounce } from './Announcer.js';
import { ErrorNotice } from './ErrorNotice.js';
import { ProgressBar } from './ProgressBar.js';

const ACCEPT_ATTR = [...ACCEPTED_EXTENSIONS.map((e) => `.${e}`), ...Object.keys(ACCEPTED_MEDIA_TYPES)].join(',');
const SHOWN_TYPES = ['MP4', 'MOV', 'WebM', 'MKV', 'AVI', 'MP3', 'M4A', 'WAV', 'FLAC', 'OGG'].join(', ');

/** The type to declare for a file: browsers leave it empty for MKV and friends. */
function effectiveType(file: File): string {
  return normaliseMediaType(file.type) || mediaTypeForExtension(extensionOf(file.name)) || '';
}

type Phase =
  | { kind: 'select' }
  | { kind: 'uploading'; progress: UploadProgress }
  | { kind: 'starting' }
  | { kind: 'error'; code: ClientErrorCode };

export function UploadPanel() {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const inputRef = useRef<HTMLInputElement>(null);
  const abortRef = useRef<AbortController | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [duration, setDuration] = useState<number | null | 'reading'>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [language, setLanguage] = useState('auto');
  const [profile, setProfile] = useState<ProfileChoice>(AUTO_PROFILE);
  const [speakerCount, setSpeakerCount] = useState<SpeakerCountChoice>('auto');
  const [phase, setPhase] = useState<Phase>({ kind: 'select' });
  const [dragging, setDragging] = useState(false);
  const [maxBytes, setMaxBytes] = useState<number | undefined>(undefined);
  const ids = { drop: useId(), lang: useId(), langHint: useId(), profile: useId(), profileHint: useId(), vertical: useId(), speakers: useId(), speakersHint: useId() };
  const lastAnnounced = useRef(-1);

  useEffect(() => {
    void getClientConfig().then((c) => setMaxBytes(c.max_upload_bytes));
  }, []);
  useEffect(() => () => abortRef.current?.abort(), []);

  const refuseReason = (f: File, limit: number | undefined): string | null => {
    const type = effectiveType(f);
    if (!isAcceptedUpload(f.name, type)) {
      return t('start.refusedType', { name: f.name, type: type || extensionOf(f.name) || '?' });
    }
    if (f.size === 0) return t('start.refusedEmpty', { name: f.name });
    if (limit !== undefined && f.size > limit) {
      return t('start.refusedSize', { name: f.name, size: formatBytes(f.size, lang), max: formatBytes(limit, lang) });
    }
    return null;
  };

  const choose = (f: File | undefined): void => {
    if (!f) return;
    setPhase({ kind: 'select' });
    const reason = refuseReason(f, maxBytes);
    if (reason) {
      setFile(null);
      setRefusal(reason);
      return;
    }
    setRefusal(null);
    setFile(f);
    setDuration('reading');
    void probeDuration(f).then(setDuration);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setDragging(false);
    if (phase.kind === 'uploading' || phase.kind === 'starting') return;
    choose(e.dataTransfer.files[0]);
  };

  const start = async (): Promise<void> => {
    if (!file) return;
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    lastAnnounced.current = -1;
    setPhase({ kind: 'uploading', progress: { sent: 0, total: file.size, bytesPerSecond: 0 } });
    try {
      const type = effectiveType(file);
      const target = await generateUploadUrl({ filename: file.name, filetype: type, filesize: file.size }, ctrl.signal);
      if (file.size > target.maxBytes) {
        setMaxBytes(target.maxBytes);
        throw new ApiError('FILE_TOO_LARGE', 'file over the limit');
      }
      await uploadFile(
        file,
        target,
        (progress) => {
          setPhase({ kind: 'uploading', progress });
          const pct = Math.floor((progress.sent / Math.max(1, progress.total)) * 10) * 10;
          if (pct > lastAnnounced.current) {
            lastAnnounced.current = pct;
            announce(t('upload.progress', { percent: pct }));
          }
        },
        ctrl.signal,
      );
      setPhase({ kind: 'starting' });
      announce(t('upload.starting'));
      const { jobId } = await requestProcess(target.fileKey, language, layoutRequestFor(profile), speakerCountRequest(speakerCount));
      rememberJob({ job_id: jobId, file_name: file.name, created_at: new Date().toISOString() });
      navigate(`/jobs/${encodeURIComponent(jobId)}`);
    } catch (err) {
      if (ctrl.signal.aborted) {
        setPhase({ kind: 'select' });
        announce(t('upload.cancelled'));
        return;
      }
      setPhase({ kind: 'error', code: asApiError(err).code });
    } finally {
      abortRef.current = null;
    }
  };

  const busy = phase.kind === 'uploading' || phase.kind === 'starting';
  const languages = spokenLanguageOptions(lang);

  return (
    <section className="card upload" aria-labelledby={ids.drop}>
      <div
        className={`dropzone${dragging ? ' is-dragging' : ''}${file ? ' has-file' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <svg className="dropzone-icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2" />
        </svg>
        <p id={ids.drop} className="dropzone-title">
          {t('start.drop')}
        </p>
        <p className="dropzone-or">{t('start.or')}</p>
        <button type="button" className="btn btn-secondary" onClick={() => inputRef.current?.click()} disabled={busy}>
          {file ? t('start.change') : t('start.choose')}
        </button>
        <input
          ref={inputRef}
          type="file"
          accept={ACCEPT_ATTR}
          hidden
          onChange={(e) => {
            choose(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <p className="hint">
          {maxBytes !== undefined
            ? t('start.accepted', { types: SHOWN_TYPES, max: formatBytes(maxBytes, lang) })
            : t('start.acceptedNoMax', { types: SHOWN_TYPES })}
        </p>
      </div>

      {refusal && (
        <p className="notice notice-error" role="alert">
          {refusal}
        </p>
      )}

      {file && (
        <div className="upload-form">
          <dl className="file-facts">
            <div>
              <dt>{t('start.fileName')}</dt>
              <dd className="file-name">{file.name}</dd>
            </div>
            <div>
              <dt>{t('start.fileSize')}</dt>
              <dd>{formatBytes(file.size, lang)}</dd>
            </div>
            <div>
              <dt>{t('start.fileDuration')}</dt>
              <dd>
                {duration === 'reading'
                  ? t('start.durationReading')
                  : duration === null
                    ? t('start.durationUnknown')
                    : formatSpan(duration, lang)}
              </dd>
            </div>
          </dl>

          <div className="field">
            <label htmlFor={ids.lang}>{t('start.language')}</label>
            <select
              id={ids.lang}
              value={language}
              onChange={(e) => setLanguage(e.target.value)}
              aria-describedby={ids.langHint}
              disabled={busy}
            >
              <option value="auto">{t('start.languageAuto')}</option>
              {languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.name}
                </option>
              ))}
            </select>
            <p id={ids.langHint} className="hint">
              {t('start.languageHint')}
            </p>
          </div>

          <div className="field">
            <label htmlFor={ids.profile}>{t('start.profile')}</label>
            <select
              id={ids.profile}
              value={profile.name}
              onChange={(e) => setProfile((p) => ({ ...p, name: readProfileName(e.target.value) }))}
              aria-describedby={ids.profileHint}
              disabled={busy}
            >
              <option value="auto">{t('profile.auto')}</option>
              {PROFILE_NAMES.map((name) => {
                const l = profileLabel(name);
                return (
                  <option key={name} value={name}>
                    {t(l.key, l.vars)}
                  </option>
                );
              })}
            </select>
            <label className="switch field-check" htmlFor={ids.vertical}>
              <input
                id={ids.vertical}
                type="checkbox"
                checked={profile.vertical}
                onChange={(e) => setProfile((p) => ({ ...p, vertical: e.target.checked }))}
                disabled={busy}
              />
              {t('start.vertical')}
            </label>
            <p id={ids.profileHint} className="hint">
              {t('start.profileHint')}
            </p>
          </div>

          <div className="field">
            <label htmlFor={ids.speakers}>{t('start.speakers')}</label>
            <select
              id={ids.speakers}
              value={String(speakerCount)}
              onChange={(e) => setSpeakerCount(readSpeakerCount(e.target.value))}
              aria-describedby={ids.speakersHint}
              disabled={busy}
            >
              <option value="auto">{t('start.speakersAuto')}</option>
              {SPEAKER_COUNT_CHOICES.map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
            <p id={ids.speakersHint} className="hint">
              {t('start.speakersHint')}
            </p>
          </div>

          {phase.kind === 'uploading' ? (
            <UploadProgressView progress={phase.progress} onCancel={() => abortRef.current?.abort()} />
          ) : phase.kind === 'starting' ? (
            <p className="status-line" role="status">
              <span className="spinner" aria-hidden="true" /> {t('upload.starting')}
            </p>
          ) : (
            <button type="button" className="btn btn-primary btn-large" onClick={() => void start()}>
              {phase.kind === 'error' ? t('upload.retry') : t('start.submit')}
            </button>
          )}
          {phase.kind === 'error' && <ErrorNotice code={phase.code} />}
        </div>
      )}
    </section>
  );
}

function UploadProgressView({ progress, onCancel }: { progress: UploadProgress; onCancel: () => void }) {
  const { t, lang } = useI18n();
  const pct = progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 0;
  const left = progress.bytesPerSecond > 0 ? (progress.total - progress.sent) / progress.bytesPerSecond : null;
  return (
    <div className="upload-progress">
      <div className="progress-head">
        <span className="progress-pct">{t('upload.progress', { percent: pct })}</span>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('upload.cancel')}
        </button>
      </div>
      <ProgressBar value={pct} label={t('upload.title')} valueText={t('upload.progress', { percent: pct })} />
      <p className="progress-meta">
        <span>{t('upload.bytes', { sent: formatBytes(progress.sent, lang), total: formatBytes(progress.total, lang) })}</span>
        {progress.bytesPerSecond > 0 && <span>{t('upload.speed', { speed: formatBytes(progress.bytesPerSecond, lang) })}</span>}
        {left !== null && <span>{t('upload.left', { time: formatSpan(left, lang) })}</span>}
      </p>
    </div>
  );
}
