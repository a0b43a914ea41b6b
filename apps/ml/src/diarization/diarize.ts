/**
 * The built-in speaker diarizer (issue 10): who spoke when, from classical,
 * documented methods and no neural weights beyond the optional Silero VAD.
 *
 *   speech regions   Silero VAD (silero-vad.ts) when its model and binary are
 *                    there, else the energy VAD (energy-vad.ts); then cut at
 *                    every pause of 0.1 s or more inside them, where a turn
 *                    can change hands (split-at-pauses.ts)
 *   features         19 MFCCs + deltas per 10 ms and YIN pitch, summarised
 *                    per 0.25 s block, normalised per recording
 *                    (block-features.ts, mfcc.ts)
 *   windows          back-to-back 1.5 s windows inside speech pieces, each
 *                    embedded as the mean and log-spread of its cepstra and
 *                    its mean log F0 (windows.ts)
 *   clustering       linear, then agglomerative BIC clustering with λ = 1 and
 *                    a within-voice covariance measured on the recording: the
 *                    number of speakers is where ΔBIC stops being negative
 *                    (and never two clusters closer than a least voice
 *                    distance), or as asked (numSpeakers, min/maxSpeakers);
 *                    windows under 0.75 s and clusters of under 3 windows
 *                    join the nearest cluster (bic-clustering.ts)
 *   re-segmentation  Viterbi over per-speaker Gaussians with a switch penalty,
 *                    re-estimated up to 3 times, then islands under 0.5 s
 *                    removed (resegment.ts)
 *
 * Memory is flat in the audio's length but for 316 bytes per 0.25 s of
 * speech (4.6 MB per hour), one byte of level per 10 ms (360 KB per hour)
 * and the clustering's pair matrix; the audio is read in 20 s pieces.
 */
import { existsSync } from 'node:fs';
import { MAX_SPEAKERS, type Diarization } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { openWav } from '../analysis/read-wav.js';
import { blockFeatures, type BlockStore } from './block-features.js';
import { blockLabels, clusterWindows, type CountOptions } from './bic-clustering.js';
import { energyRegions, frameLevels } from './energy-vad.js';
import { resegment } from './resegment.js';
import { sileroRegions } from './silero-vad.js';
import { splitAtPauses } from './split-at-pauses.js';
import { tidyRegions, type SpeechRegion } from './speech-region.js';
import { turnsFromLabels } from './turns.js';
import { makeWindows } from './windows.js';

export const METHOD = 'mfcc-pitch-stats+bic-ahc+viterbi';

export interface DiarizeInput {
  wavPath: string;
  /** Silero VAD model (ggml); undefined → energy VAD. */
  vadModelPath?: string | undefined;
  /** whisper-vad-speech-segments binary; undefined → energy VAD. */
  vadBinaryPath?: string | undefined;
  /**
   * Silero's speech regions for this very WAV, already found (by whisper-cli's
   * own `--vad` pass, EngineTranscript.speechRegions): used instead of running
   * the VAD again, which costs as much as it did there. Undefined → found here.
   */
  speechRegions?: readonly SpeechRegion[] | undefined;
  numSpeakers?: number | undefined;
  minSpeakers?: number | undefined;
  maxSpeakers?: number | undefined;
  threads?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Clustering and re-segmentation of the blocks: a speaker index per block. Pure. */
export function labelBlocks(store: BlockStore, counts: CountOptions = {}): Int32Array {
  if (store.count === 0) return new Int32Array(0);
  const windows = makeWindows(store);
  const initial = blockLabels(store, windows, clusterWindows(windows, counts));
  return resegment(store, initial);
}

function checkCounts(c: CountOptions): void {
  const { numSpeakers: num, minSpeakers: min, maxSpeakers: max } = c;
  for (const [name, v] of Object.entries({ numSpeakers: num, minSpeakers: min, maxSpeakers: max })) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new ServiceError('VALIDATION_ERROR', `${name} must be a whole number of at least 1`);
  }
  if (min !== undefined && max !== undefined && min > max) throw new ServiceError('VALIDATION_ERROR', 'minSpeakers must not be more than maxSpeakers');
}

export async function diarize(input: DiarizeInput): Promise<Diarization> {
  checkCounts({ numSpeakers: input.numSpeakers, minSpeakers: input.minSpeakers, maxSpeakers: input.maxSpeakers });
  // Never more speakers than the result contract takes (MAX_SPEAKERS): a result the backend refuses would never be delivered.
  const counts: CountOptions = {
    numSpeakers: input.numSpeakers === undefined ? undefined : Math.min(input.numSpeakers, MAX_SPEAKERS),
    minSpeakers: input.minSpeakers === undefined ? undefined : Math.min(input.minSpeakers, MAX_SPEAKERS),
    maxSpeakers: Math.min(input.maxSpeakers ?? MAX_SPEAKERS, MAX_SPEAKERS),
  };
  if (input.signal?.aborted) throw new ServiceError('CANCELLED', 'diarization cancelled');
  const known = input.speechRegions;
  const useSilero = known !== undefined || Boolean(input.vadModelPath && input.vadBinaryPath && existsSync(input.vadModelPath) && existsSync(input.vadBinaryPath));
  const vad = useSilero ? 'silero' : 'energy';
  const reader = await openWav(input.wavPath);
  try {
    const duration = reader.totalSamples / reader.sampleRate;
    let regions: SpeechRegion[];
    const levels = await frameLevels(reader, input.signal);
    if (known !== undefined) {
      regions = [...known];
    } else if (useSilero) {
      regions = await sileroRegions({
        binaryPath: input.vadBinaryPath!,
        modelPath: input.vadModelPath!,
        wavPath: input.wavPath,
        threads: input.threads,
        signal: input.signal,
      });
    } else {
      regions = energyRegions(levels, duration);
    }
    const vadRegions = tidyRegions(regions, duration);
    const store = await blockFeatures(reader, splitAtPauses(vadRegions, levels, duration), input.signal, vadRegions);
    if (input.signal?.aborted) throw new ServiceError('CANCELLED', 'diarization cancelled');
    const labels = labelBlocks(store, counts);
    return { ...turnsFromLabels(store, labels, vadRegions), method: METHOD, vad };
  } finally {
    await reader.close();
  }
}
