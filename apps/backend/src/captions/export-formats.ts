import { toAss, toJson, toSrt, toTxt, toVtt } from '@ecg/captions';
import type { Caption, ExportFormat } from '@ecg/contracts';

/** What a writer may need besides the captions; each format reads only its part. */
export interface ExportContext {
  language?: string | undefined;
  /** The uploaded video's name (ASS title). */
  title?: string | undefined;
  /** ASS only: size words by emphasis, and how strongly. */
  expressive?: boolean;
  strength?: number;
}

export interface ExportWriter {
  contentType: string;
  write(captions: readonly Caption[], context: ExportContext): string;
}

/** How each export format is written and labelled; a new ExportFormat value must be added here (the type says so). */
export const EXPORT_WRITERS: Record<ExportFormat, ExportWriter> = {
  srt: { contentType: 'application/x-subrip; charset=utf-8', write: (c) => toSrt(c) },
  vtt: { contentType: 'text/vtt; charset=utf-8', write: (c) => toVtt(c) },
  txt: { contentType: 'text/plain; charset=utf-8', write: (c) => toTxt(c) },
  json: {
    contentType: 'application/json; charset=utf-8',
    write: (c, { language }) => toJson(c, language === undefined ? {} : { language }),
  },
  ass: {
    contentType: 'text/x-ssa; charset=utf-8',
    write: (c, { language, title, expressive, strength }) =>
      toAss(c, {
        expressive: expressive ?? true,
        strength: strength ?? 1,
        ...(title ? { title } : {}),
        ...(language ? { language } : {}),
      }),
  },
};
