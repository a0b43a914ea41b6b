/**
 * The transcription seam. The service only talks to an engine through this
 * interface; the implementation (whisper-cli-engine.ts) runs whisper.cpp's own
 * `whisper-cli` in a child process, so a cancel is a kill and a native crash
 * on a hostile file cannot take the service down.
 *
 * Callers may rely on:
 * - `transcribe` rejects with EngineError('CANCELLED') promptly after `signal`
 *   aborts, with the child process gone;
 * - any other failure rejects with EngineError('TRANSCRIPTION_ERROR'), never a
 *   resolved empty result;
 * - `onProgress` gets the engine's own 0..100 progress, non-decreasing;
 * - `onSegment` gets each segment as soon as the engine prints it;
 * - times are seconds from the start of the audio file.
 */
export interface TranscriptionEngine {
  readonly name: string; // e.g. "whisper.cpp 1.8.x whisper-cli"
  transcribe(request: TranscribeRequest): Promise<EngineTranscript>;
}

export interface TranscribeRequest {
  /** 16 kHz mono 16-bit PCM WAV. */
  audioPath: string;
  /**
   * Set when the WAV at `audioPath` is still being made (downloaded,
   * extracted) as the engine starts: the engine gets ready meanwhile (loads
   * the model) and reads the file once this resolves. When it rejects, the
   * engine stops and rejects with CANCELLED; the caller has its own reason.
   */
  audioReady?: Promise<void>;
  modelPath: string;
  /** "auto" or a Whisper language code. */
  language: string;
  threads: number;
  temperatureFallback: boolean;
  /** Silero VAD model in ggml format; undefined turns VAD off. */
  vadModelPath?: string;
  /** 'translate': Whisper's own any-language → English task; default transcribe. */
  task?: 'transcribe' | 'translate';
  /** Initial prompt: spellings, names, style for the decoder to follow. */
  prompt?: string;
  /** Sampling temperature (0 = greedy/beam); default the engine's own (0). */
  temperature?: number;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  onSegment?: (segment: EngineSegment) => void;
  /**
   * With VAD on: the speech regions, as soon as the engine's VAD pass has found
   * them (before any transcribing), at most once; the same regions as the
   * result's `speechRegions`. Lets the diarizer start while the engine works.
   */
  onSpeechRegions?: (regions: Array<{ start: number; end: number }>) => void;
}

export interface EngineToken {
  text: string;
  start: number;
  end: number;
  probability: number;
  /** True for Whisper's special tokens ([_BEG_], <|en|>, timestamps). */
  special: boolean;
}

export interface EngineSegment {
  start: number;
  end: number;
  text: string;
  tokens?: EngineToken[];
}

export interface EngineTranscript {
  language: string;
  segments: EngineSegment[];
  /** Wall seconds spent inside the engine once it had the audio. */
  seconds: number;
  /**
   * With VAD on: the speech regions (seconds of the file) the Silero VAD found,
   * exactly those whisper.cpp's whisper-vad-speech-segments would print for
   * the same file and model, so the diarizer need not run it again. Absent
   * when VAD was off or the engine could not read them.
   */
  speechRegions?: Array<{ start: number; end: number }>;
}

export type EngineErrorCode = 'CANCELLED' | 'TRANSCRIPTION_ERROR' | 'MODEL_UNAVAILABLE';
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
