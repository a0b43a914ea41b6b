import { safeDownloadName, toJson, toSrt, toTxt, toVtt } from '@ecg/captions';
import type { Caption, ExportFormat } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { downloadText } from '../lib/download.js';

const FORMATS: ReadonlyArray<{ format: ExportFormat; mime: string; write: (c: Caption[], language?: string) => string }> = [
  { format: 'srt', mime: 'application/x-subrip', write: (c) => toSrt(c) },
  { format: 'vtt', mime: 'text/vtt', write: (c) => toVtt(c) },
  { format: 'txt', mime: 'text/plain', write: (c) => toTxt(c) },
  { format: 'json', mime: 'application/json', write: (c, language) => toJson(c, language === undefined ? {} : { language }) },
];

/** Downloads written here with the same writers the backend's export uses, so both give the same file. */
export function ExportBar({ captions, fileName, language }: { captions: Caption[]; fileName: string | null; language?: string }) {
  const { t } = useI18n();
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
          onClick={() => downloadText(safeDownloadName(fileName, format), write(captions, language), mime)}
        >
          {format.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
