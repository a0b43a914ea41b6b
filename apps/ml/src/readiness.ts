import { existsSync } from 'node:fs';
import type { MlConfig } from './config.js';
import { findWhisperCli, findWhisperVadBinary, whisperCliProblem } from './engine/whisper-binary.js';
import { readModelHeader } from './models/inspect-model.js';
import { resolveModelPath } from './models/resolve-model.js';
import { findFfmpegTools, type FfmpegTools } from './pipeline/ffmpeg.js';

export type Readiness =
  | {
      ready: true;
      model: { name: string; path: string };
      binaryPath: string;
      tools: FfmpegTools;
      /** The VAD model to use, or undefined when VAD is off. */
      vadModelPath: string | undefined;
      /** whisper.cpp's `whisper-vad-speech-segments`, which the diarizer runs the VAD model with; undefined when it is not built. */
      vadBinaryPath: string | undefined;
    }
  | { ready: false; reason: string; modelName: string | null; vad: boolean };

/**
 * Whether the service can transcribe now, and if not, the one sentence that
 * says what is missing (model file, a file that is not a ggml model, the
 * whisper-cli binary, ffmpeg, the VAD model when WHISPER_VAD=on). Cheap:
 * stat calls and a 48-byte header read, so it can run on every /health.
 */
export async function checkReadiness(config: MlConfig, env: NodeJS.ProcessEnv): Promise<Readiness> {
  const vadOn = config.vad === 'on' || (config.vad === 'auto' && existsSync(config.vadModelPath));
  let model: { name: string; path: string };
  try {
    model = resolveModelPath(config.whisperModel, config.modelsDir);
  } catch (err) {
    return { ready: false, reason: (err as Error).message, modelName: null, vad: vadOn };
  }
  const notReady = (reason: string): Readiness => ({ ready: false, reason, modelName: model.name, vad: vadOn });
  if (!existsSync(model.path)) {
    return notReady(`model file missing: ${model.path} (download it with: npm run model:download ${model.name}, or set WHISPER_MODEL / MODELS_DIR)`);
  }
  try {
    await readModelHeader(model.path);
  } catch (err) {
    return notReady(`model ${model.name} is unusable: ${(err as Error).message}`);
  }
  const binaryPath = findWhisperCli(env);
  if (!binaryPath) return notReady(whisperCliProblem(env));
  const found = findFfmpegTools({ FFMPEG_PATH: config.ffmpegPath, FFPROBE_PATH: config.ffprobePath, PATH: env.PATH });
  if (!found.ok) return notReady(found.problem);
  const tools = found.tools;
  if (config.vad === 'on' && !existsSync(config.vadModelPath)) {
    return notReady(`WHISPER_VAD=on but the VAD model is missing: ${config.vadModelPath} (npm run model:download vad, or set WHISPER_VAD_MODEL)`);
  }
  const vadBinaryPath = findWhisperVadBinary(env) ?? undefined;
  return { ready: true, model, binaryPath, tools, vadModelPath: vadOn ? config.vadModelPath : undefined, vadBinaryPath };
}

/**
 * Caches the readiness verdict briefly so a busy /health or a burst of
 * requests does not stat the disk each time, yet a model placed while the
 * service runs is picked up within `ttlMs`.
 */
export function cachedReadiness(check: () => Promise<Readiness>, ttlMs = 2000): () => Promise<Readiness> {
  let at = 0;
  let last: Promise<Readiness> | null = null;
  return () => {
    if (!last || Date.now() - at > ttlMs) {
      at = Date.now();
      last = check();
    }
    return last;
  };
}
