import { dualSpeakerDash, toAss, toJson, toSrt, toTxt, toVtt, type SpeakerExportOptions } from '@ecg/captions';
import type { Caption, CaptionSpeaker, ExportFormat } from '@ecg/contracts';

/** What a writer may need besides the captions; each format reads only its part. */
export interface ExportContext {
  language?: string | undefined;
  /** The uploaded video's name (ASS title). */
  title?: string | undefined;
  /** ASS only: size words by emphasis, and how strongly. */
  expressive?: boolean;
  strength?: number;
  /** The speakers' names (the edited ones); every format writes them its own way. */
  speakers?: readonly CaptionSpeaker[];
  /** SRT and TXT: `Name: ` where the speaker changes. */
  speakerNames?: boolean;
}

export interface ExportWriter {
  contentType: string;
  write(captions: readonly Caption[], context: ExportContext): string;
}

/** How each export format is written and labelled; a new ExportFormat value must be added here (the type says so). */
export const EXPORT_WRITERS: Record<ExportFormat, ExportWriter> = {
  srt: { contentType: 'application/x-subrip; charset=utf-8', write: (c, ctx) => toSrt(c, speakerOptions(ctx)) },
  vtt: { contentType: 'text/vtt; charset=utf-8', write: (c, ctx) => toVtt(c, speakerOptions(ctx)) },
  txt: { contentType: 'text/plain; charset=utf-8', write: (c, ctx) => toTxt(c, speakerOptions(ctx)) },
  json: {
    contentType: 'application/json; charset=utf-8',
    write: (c, ctx) => toJson(c, { ...(ctx.language === undefined ? {} : { language: ctx.language }), ...speakerOptions(ctx) }),
  },
  ass: {
    contentType: 'text/x-ssa; charset=utf-8',
    write: (c, ctx) =>
      toAss(c, {
        expressive: ctx.expressive ?? true,
        strength: ctx.strength ?? 1,
        ...(ctx.title ? { title: ctx.title } : {}),
        ...(ctx.language ? { language: ctx.language } : {}),
        ...speakerOptions(ctx),
      }),
  },
};

/** The names, the `Name: ` choice, and the dual-speaker dash of the captions' language (Netflix: "-" in English, "- " in Korean). */
function speakerOptions({ speakers, speakerNames, language }: ExportContext): SpeakerExportOptions {
  return { ...(speakers ? { speakers } : {}), ...(speakerNames ? { speakerNames } : {}), dash: dualSpeakerDash(language) };
}
