import { useId, useState } from 'react';
import { dualSpeakerDash, safeDownloadName, toJson, toSrt, toTxt, toVtt, type SpeakerExportOptions } from '@ecg/captions';
import type { Caption, CaptionSpeaker, ExportFormat } from '@ecg/contracts';
import { getAssExport } from '../api/backend.js';
import { asApiError, type ClientErrorCode } from '../api/http.js';
import { useI18n } from '../i18n/i18n.js';
import { downloadBlob, downloadText } from '../lib/download.js';
import { useAnnounce } from './Announcer.js';

type Write = (c: Caption[], speakers: SpeakerExportOptions, language?: string) => string;

const FORMATS: ReadonlyArray<{ format: ExportFormat; mime: string; write: Write }> = [
  { format: 'srt', mime: 'application/x-subrip', write: (c, s) => toSrt(c, s) },
  { format: 'vtt', mime: 'text/vtt', write: (c, s) => toVtt(c, s) },
  { format: 'txt', mime: 'text/plain', write: (c, s) => toTxt(c, s) },
  { format: 'json', mime: 'application/json', write: (c, s, language) => toJson(c, { ...(language === undefined ? {} : { language }), ...s }) },
];

interface Props {
  jobId: string;
  captions: Caption[];
  /** The speakers' names as edited: every format writes them (SRT and TXT only when asked to). */
  speakers: readonly CaptionSpeaker[];
  fileName: string | null;
  language?: string;
  expressive: boolean;
  strength: number;
  /** Saves pending edits; the ASS file is written by the server from the saved captions. */
  flush: () => Promise<boolean>;
}

/**
 * Text formats are written here with the same writers the backend's export
 * uses, so both give the same file. ASS comes from the server (it needs the
 * word analysis), after the edits on screen are saved.
 */
export function ExportBar({ jobId, captions, speakers, fileName, language, expressive, strength, flush }: Props) {
  const { t, messages } = useI18n();
  const announce = useAnnounce();
  const namesId = useId();
  // Off by default, as on the server: most players show captions without names.
  const [names, setNames] = useState(false);
  // The same dash as the server's export: the captions' language's (dualSpeakerDash).
  const speakerOptions: SpeakerExportOptions = { speakers, ...(names ? { speakerNames: true } : {}), dash: dualSpeakerDash(language) };
  const [assBusy, setAssBusy] = useState(false);
  /** Why the last ASS download did not happen: edits not saved, or the server's error code. */
  const [assProblem, setAssProblem] = useState<'unsaved' | ClientErrorCode | null>(null);
  const assLabel = expressive ? t('export.assExpressive') : t('export.assPlain');

  const downloadAss = async (): Promise<void> => {
    setAssBusy(true);
    setAssProblem(null);
    try {
      if (!(await flush())) {
        setAssProblem('unsaved');
        announce(t('export.unsaved'));
        return;
      }
      const file = await getAssExport(jobId, expressive, strength);
      downloadBlob(file.fileName ?? safeDownloadName(fileName, 'ass'), file.blob);
    } catch (err) {
      const code = asApiError(err).code;
      setAssProblem(code);
      announce(messages.errors[code].what);
    } finally {
      setAssBusy(false);
    }
  };

  return (
    <div className="export" role="group" aria-label={t('editor.export')}>
      <span className="export-label" aria-hidden="true">
        {t('editor.export')}
      </span>
      {FORMATS.map(({ format, mime, write }) => (
        <button
          key={format}
          type="button"
          className="btn btn-small"
          aria-label={t('editor.exportAs', { format: format.toUpperCase() })}
          disabled={captions.length === 0}
          onClick={() => downloadText(safeDownloadName(fileName, format), write(captions, speakerOptions, language), mime)}
        >
          {format.toUpperCase()}
        </button>
      ))}
      <button
        type="button"
        className="btn btn-small"
        aria-label={t('editor.exportAs', { format: assLabel })}
        aria-busy={assBusy}
        disabled={captions.length === 0 || assBusy}
        onClick={() => void downloadAss()}
      >
        {assLabel}
      </button>
      {speakers.length > 0 && (
        <label className="switch export-names" htmlFor={namesId}>
          <input id={namesId} type="checkbox" checked={names} onChange={(e) => setNames(e.target.checked)} />
          {t('export.speakerNames')}
        </label>
      )}
      {assProblem && (
        <p className="notice notice-error export-refused" role="alert">
          {assProblem === 'unsaved'
            ? t('export.unsaved')
            : `${t('export.assFailed')} ${messages.errors[assProblem].what} ${messages.errors[assProblem].todo}`}
        </p>
      )}
    </div>
  );
}
