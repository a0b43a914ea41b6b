import { speakerColor } from '@ecg/captions';
import type { CaptionSpeaker } from '@ecg/contracts';

/** A speaker's colour as a dot beside their name; decoration only (the name says who it is). */
export function SpeakerDot({ speakers, id }: { speakers: readonly CaptionSpeaker[]; id: string }) {
  return <span className="speaker-dot" style={{ backgroundColor: speakerColor(speakers, id) }} aria-hidden="true" />;
}
