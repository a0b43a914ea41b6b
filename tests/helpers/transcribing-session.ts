/**
 * What the browser tests that let whisper.cpp really transcribe their upload
 * share: a temp folder with jfk.wav muxed into an MP4 (the file a person
 * picks), the web app built, and the real backend and ML processes on the
 * generated micro model with Silero VAD, greedy decoding and two threads.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from '../../apps/ml/test/helpers/fixtures.js';
import { ensureWebBuild, requireChromium } from './browser.js';
import { muxAudioIntoMp4 } from './media.js';
import { startStack, type Stack } from './stack.js';

export interface TranscribingSession {
  /** The temp folder (the caller removes it). */
  work: string;
  /** jfk.wav as `jfk-speech.mp4`. */
  videoPath: string;
  stack: Stack;
}

export async function startTranscribingSession(tempPrefix: string, extraEnv: Record<string, string> = {}): Promise<TranscribingSession> {
  requireChromium();
  requireWhisperCli();
  const work = mkdtempSync(join(tmpdir(), tempPrefix));
  const [webDist, model] = await Promise.all([ensureWebBuild(), testModelPath('micro')]);
  const videoPath = join(work, 'jfk-speech.mp4');
  await muxAudioIntoMp4(JFK_WAV, videoPath);
  const stack = await startStack({
    WEB_DIST_DIR: webDist,
    WHISPER_MODEL: model,
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    WHISPER_VAD_MODEL: VAD_MODEL,
    WHISPER_THREADS: '2',
    // Random weights never end a window early; greedy decoding keeps the test's transcription short.
    WHISPER_BEAM_SIZE: '1',
    ...extraEnv,
  });
  return { work, videoPath, stack };
}
