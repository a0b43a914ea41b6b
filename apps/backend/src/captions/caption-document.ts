import { captionFields, defaultSpeakerName, documentSpeakers, speakerIdsOf, fromTranscript, reflowCaptions, resolveProfile, type LayoutOptions } from '@ecg/captions';
import type { Caption, CaptionDocument, CaptionLayoutRequest, CaptionProfile, CaptionSpeaker, TranscriptResult } from '@ecg/contracts';
import type { Job } from '../jobs/job-repository.js';

/** The profile a job's captions are laid out and checked by: its layout request over its language's profile. */
export function jobProfile(job: Pick<Job, 'captionLayout' | 'result'>, request?: CaptionLayoutRequest): CaptionProfile {
  return resolveProfile(request ?? job.captionLayout ?? {}, job.result?.language);
}

/** What the layout engine takes from the video analysis: shot changes to snap to, the frame rate frames count in. */
export function videoTiming(result: TranscriptResult | null): LayoutOptions {
  const video = result?.video;
  if (!video) return {};
  return { shotChanges: video.shot_changes, fps: video.fps };
}

/**
 * Captions laid out from the transcript's word timings by the job's profile:
 * what a job starts with and what "restore" returns to. The transcript's
 * segments go in as rough captions and come out re-cut: a segment's words
 * where they spell its text, its text spread over its span where a segment
 * has no word timings.
 */
export function laidOutCaptions(job: Pick<Job, 'captionLayout' | 'result'>): Caption[] {
  if (!job.result) return [];
  return reflowCaptions(fromTranscript(job.result), jobProfile(job), videoTiming(job.result));
}

/**
 * The captions a completed job shows now: the saved edits, or the laid-out
 * transcript when none are saved (never saved, or restored). Saved captions
 * are read back with their named fields only: rows saved before saves were
 * strict may hold anything beside them, which must reach neither an export
 * nor the editor.
 */
export function currentCaptions(job: Job): Caption[] {
  if (job.captions) return job.captions.map(captionFields);
  return laidOutCaptions(job);
}

/**
 * The names of the speakers `captions` mention: the ones the person gave,
 * `Speaker 1`, `Speaker 2`, … for the rest, in the diarizer's order (which is
 * the order of first speech) so a job's numbering does not change as
 * captions are edited.
 */
export function currentSpeakers(job: Pick<Job, 'captionSpeakers' | 'result'>, captions: readonly Caption[]): CaptionSpeaker[] {
  const named = job.captionSpeakers ?? [];
  const known = new Set(named.map((s) => s.id));
  // Only the diarized speakers the captions still mention: a speaker merged into another is gone.
  const mentioned = new Set(speakerIdsOf(captions));
  const diarized = (job.result?.diarization?.speakers ?? [])
    .filter((s) => !known.has(s.id) && mentioned.has(s.id))
    .map((s) => ({ id: s.id, name: defaultSpeakerName(s.id) }));
  return documentSpeakers(captions, [...named, ...diarized]);
}

export function captionDocument(job: Job): CaptionDocument {
  const language = job.result?.language;
  const captions = currentCaptions(job);
  return {
    version: job.captionVersion,
    captions,
    speakers: currentSpeakers(job, captions),
    edited: job.captions !== null,
    ...(job.captionsUpdatedAt ? { updated_at: job.captionsUpdatedAt.toISOString() } : {}),
    ...(language ? { language } : {}),
    layout: job.captionLayout ?? {},
    profile: jobProfile(job),
  };
}

/** Names one version of one job's captions, so a cache or a client can tell two versions apart. */
export function captionsEtag(job: Pick<Job, 'id' | 'captionVersion'>): string {
  return `W/"${job.id}-v${job.captionVersion}"`;
}
