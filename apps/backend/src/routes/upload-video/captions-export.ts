import { attachmentDisposition, safeDownloadName } from '@ecg/captions';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AssExportQuery, ErrorBody, ExportQuery, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { captionsEtag, currentCaptions, currentSpeakers } from '../../captions/caption-document.js';
import { EXPORT_WRITERS } from '../../captions/export-formats.js';
import { requireCompletedJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsExportOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
}

/**
 * `GET /api/upload-video/result/:jobId/export?format=srt|vtt|txt|json|ass`: the
 * current captions as a file named after the uploaded video. ASS also takes
 * `expressive` (default true) and `strength` (0..2, default 1); the other
 * formats ignore them. Speakers are written by their edited names; SRT and
 * TXT name them only with `speaker_names=true`.
 */
export const captionsExportRoute: FastifyPluginAsyncZod<CaptionsExportOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/export',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Download the current captions as SRT, WebVTT, plain text, Whisper-shaped JSON or ASS',
        description: 'Content-Disposition names the file after the uploaded video (UTF-8 names kept via filename*).',
        tags: ['captions'],
        // Copies without the registry id: @fastify/swagger cannot resolve a $ref for path params or query strings.
        params: z.object(JobIdParams.shape),
        querystring: z.object({ ...ExportQuery.shape, ...AssExportQuery.shape }),
        response: {
          // A string reply is sent as written, never re-serialised; the schema is for the docs.
          200: z.string().describe('The caption file'),
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const job = await requireCompletedJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const { format, expressive, strength, speaker_names: speakerNames } = request.query;
      const writer = EXPORT_WRITERS[format];
      const captions = currentCaptions(job);
      const body = writer.write(captions, {
        language: job.result?.language,
        title: job.fileName ?? undefined,
        expressive,
        strength,
        speakers: currentSpeakers(job, captions),
        speakerNames,
      });
      return reply
        .header('content-type', writer.contentType)
        .header('content-disposition', attachmentDisposition(safeDownloadName(job.fileName, format)))
        .header('cache-control', 'no-store')
        .header('etag', captionsEtag(job))
        .send(body);
    },
  );
};
