import { toJson, toSrt, toTxt, toVtt } from '@ecg/captions';
import type { Caption, ExportFormat } from '@ecg/contracts';

export interface ExportWriter {
  contentType: string;
  write(captions: readonly Caption[], language: string | undefined): string;
}

/** How each export format is written and labelled; a new ExportFormat value must be added here (the type says so). */
export const EXPORT_WRITERS: Record<ExportFormat, ExportWriter> = {
  srt: { contentType: 'application/x-subrip; charset=utf-8', write: (c) => toSrt(c) },
  vtt: { contentType: 'text/vtt; charset=utf-8', write: (c) => toVtt(c) },
  txt: { contentType: 'text/plain; charset=utf-8', write: (c) => toTxt(c) },
  json: {
    contentType: 'application/json; charset=utf-8',
    write: (c, language) => toJson(c, language === undefined ? {} : { language }),
  },
};
