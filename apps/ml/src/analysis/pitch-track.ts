import { createPitchTracker, type YinOptions } from './pitch-yin.js';
import { openWav } from './read-wav.js';

/**
 * F0 per pitch frame of a recording, measured before the words are known, so
 * that it can run while whisper.cpp still transcribes (run-job.ts, on the
 * thread of diarizer-thread.ts, where a core is free for it: service.ts): the
 * YIN search is most of the audio analysis (30 of ~45 ms on 66 s of speech,
 * --cpu-prof, 2026-12-02), and after whisper.cpp it is on the whole job's
 * critical path.
 * `computed[k]` says whether frame k was measured; `f0[k]` is its F0 (0 =
 * unvoiced). The analysis then measures only the frames a word needs that
 * are not here (RecordingMeasurer), and gets the same numbers either way.
 */
export interface PitchTrack {
  sampleRate: number;
  hop: number;
  /** The YIN settings it was measured with: a track is only used by an analysis with the same. */
  options: YinOptions;
  f0: Float32Array;
  computed: Uint8Array;
}

export interface PitchTrackInput {
  wavPath: string;
  /**
   * Where speech is, in seconds (Silero's regions when VAD is on): only
   * frames within `REGION_MARGIN_SECONDS` of one are measured. Unset: every
   * frame (YIN skips silent frames cheaply by itself).
   */
  regions?: readonly { start: number; end: number }[];
  /** Only frames from here on (seconds): the analysis measures those before it itself, meanwhile (analyze-recording.ts, laterPitch). */
  fromSeconds?: number;
  blockSeconds?: number;
  yinOptions?: Partial<YinOptions>;
  signal?: AbortSignal;
}

/**
 * Whisper's words can start a little before or end after the VAD's regions
 * (the VAD pads them itself, and timestamps drift by tens of ms); frames a
 * word reads outside this margin are measured afterwards, so the margin only
 * decides how much is left for then.
 */
export const REGION_MARGIN_SECONDS = 0.5;

export async function trackPitch(input: PitchTrackInput): Promise<PitchTrack> {
  const reader = await openWav(input.wavPath);
  try {
    const { sampleRate, totalSamples: total } = reader;
    const pitch = createPitchTracker(sampleRate, input.yinOptions);
    const hop = pitch.hop;
    const frames = Math.ceil(total / hop);
    const f0 = new Float32Array(frames);
    const computed = new Uint8Array(frames);
    if (input.regions) {
      for (const r of input.regions) {
        const k0 = Math.max(0, Math.ceil(((r.start - REGION_MARGIN_SECONDS) * sampleRate) / hop));
        const k1 = Math.min(frames, Math.ceil(((r.end + REGION_MARGIN_SECONDS) * sampleRate) / hop));
        computed.fill(1, k0, Math.max(k0, k1));
      }
    } else {
      computed.fill(1);
    }
    if (input.fromSeconds !== undefined) computed.fill(0, 0, Math.min(frames, Math.max(0, Math.ceil((input.fromSeconds * sampleRate) / hop))));
    const firstFrame = computed.indexOf(1);
    const block = Math.max(hop, Math.ceil(((input.blockSeconds ?? 30) * sampleRate) / hop) * hop);
    const context = pitch.reachBefore;
    const buf = new Float32Array(block + pitch.reachBefore + pitch.reachAfter);
    // Blocks before the first frame wanted are not read at all.
    for (let first = firstFrame < 0 ? total : Math.floor((firstFrame * hop) / block) * block; first < total; first += block) {
      input.signal?.throwIfAborted();
      const kFrom = Math.ceil(first / hop);
      const kTo = Math.min(frames, Math.ceil(Math.min(total, first + block) / hop));
      if (computed.subarray(kFrom, kTo).indexOf(1) < 0) continue;
      await reader.readInto(first - context, buf);
      pitch.track(buf, first - context, kFrom, kTo, f0, computed);
      // A block at a time, yielding between: the thread also serves the diarizer and cancels.
      await new Promise((r) => setImmediate(r));
    }
    return { sampleRate, hop, options: { ...pitch.options }, f0, computed };
  } finally {
    await reader.close();
  }
}
