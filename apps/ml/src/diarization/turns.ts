/**
 * Labelled blocks → the contract's turns and speakers. Pure.
 *
 * A turn is a run of one speaker's blocks; turns of one speaker less than
 * 0.3 s apart are joined (NIST RT's rule for reference segments, so a breath
 * inside a sentence does not cut a turn), longer silences stay outside every
 * turn. Speakers are named SPEAKER_00, SPEAKER_01, … in order of first
 * speech, and their seconds are the sum of their turns.
 */
import type { Diarization, SpeakerTurn } from '@ecg/contracts';
import type { BlockStore } from './block-features.js';
import type { SpeechRegion } from './speech-region.js';

export const JOIN_GAP_SECONDS = 0.3;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function speakerId(index: number): string {
  return `SPEAKER_${String(index).padStart(2, '0')}`;
}

/**
 * `vadRegions`: the speech regions as the VAD found them, before they were
 * cut at pauses for the clustering (split-at-pauses.ts); one speaker's
 * blocks inside one of them are one turn whatever the pause, since the VAD
 * judged the whole stretch speech.
 */
export function turnsFromLabels(store: BlockStore, labels: Int32Array, vadRegions: readonly SpeechRegion[] = []): Pick<Diarization, 'speakers' | 'turns'> {
  const raw: { start: number; end: number; label: number }[] = [];
  let r = 0;
  const sameRegion = (a: number, b: number) => {
    while (r < vadRegions.length && vadRegions[r]!.end < a) r++;
    const region = vadRegions[r];
    return region !== undefined && region.start <= a && b <= region.end + 1e-6;
  };
  for (let i = 0; i < store.count; i++) {
    const start = store.startFrame[i]! / 100;
    const end = store.endFrame[i]! / 100;
    const last = raw.at(-1);
    if (last && last.label === labels[i] && (start - last.end < JOIN_GAP_SECONDS || sameRegion(last.end, start))) last.end = end;
    else raw.push({ start, end, label: labels[i]! });
  }
  const ids = new Map<number, string>();
  for (const t of raw) if (!ids.has(t.label)) ids.set(t.label, speakerId(ids.size));
  const turns: SpeakerTurn[] = raw.map((t) => ({ start: round3(t.start), end: round3(t.end), speaker: ids.get(t.label)! }));
  const seconds = new Map<string, number>();
  for (const t of turns) seconds.set(t.speaker, (seconds.get(t.speaker) ?? 0) + (t.end - t.start));
  const speakers = [...ids.values()].map((id) => ({ id, seconds: round3(seconds.get(id) ?? 0) }));
  return { speakers, turns };
}
