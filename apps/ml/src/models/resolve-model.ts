import { isAbsolute, join, resolve } from 'node:path';
import { MODEL_NAMES, VAD_MODEL_FILE, modelCatalog } from './model-catalog.js';

/** WHISPER_MODEL is a catalog name ("base", "large-v3-turbo") or a path to a ggml file. */
export function resolveModelPath(model: string, modelsDir: string): { name: string; path: string } {
  const value = model.trim();
  if (value.includes('/') || value.includes('\\') || value.endsWith('.bin')) {
    const path = isAbsolute(value) ? value : resolve(value);
    return { name: path.split(/[\\/]/).pop()!.replace(/^ggml-/, '').replace(/\.bin$/, ''), path };
  }
  const entry = modelCatalog().get(value);
  if (!entry || value === 'vad') {
    throw new Error(`unknown model "${value}": use one of ${MODEL_NAMES.filter((n) => n !== 'vad').join(', ')} or a path to a ggml .bin file`);
  }
  return { name: value, path: join(modelsDir, entry.file) };
}

export function defaultVadModelPath(modelsDir: string): string {
  return join(modelsDir, VAD_MODEL_FILE);
}
