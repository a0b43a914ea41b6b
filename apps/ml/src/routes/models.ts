import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ErrorBody, errorBody, MlModelsResponse } from '@ecg/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hasBearerToken } from '../auth.js';
import { VAD_MODEL_FILE } from '../models/model-catalog.js';
import type { Readiness } from '../readiness.js';

export interface ModelsRouteOptions {
  apiToken: string;
  modelsDir: string;
  readiness: () => Promise<Readiness>;
}

export interface ModelFile {
  name: string;
  file: string;
  bytes: number;
  created: number;
}

const GGML_FILE = /^ggml-(.+)\.bin$/;

/** A Whisper model's name from its ggml file name (`ggml-large-v3-turbo-q5_0.bin` → `large-v3-turbo-q5_0`), or null for any other file. */
export function modelNameOf(file: string): string | null {
  // The Silero VAD model is a ggml file too, but no transcription model.
  if (file === VAD_MODEL_FILE || file.startsWith('ggml-silero')) return null;
  return GGML_FILE.exec(file)?.[1] ?? null;
}

/**
 * The Whisper models present: every `ggml-*.bin` in MODELS_DIR, and the
 * active model (WHISPER_MODEL may name a file elsewhere), by name, once each.
 * An unreadable MODELS_DIR lists only the active model.
 */
export async function listInstalledModels(modelsDir: string, active: { name: string; path: string } | null): Promise<ModelFile[]> {
  const files = await readdir(modelsDir).catch(() => [] as string[]);
  const paths = files.filter((f) => modelNameOf(f) !== null).map((f) => join(modelsDir, f));
  if (active && !paths.some((p) => resolve(p) === resolve(active.path))) paths.push(active.path);
  const models: ModelFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    const file = basename(path);
    const name = resolve(path) === resolve(active?.path ?? '') ? active!.name : modelNameOf(file);
    if (name === null || models.some((m) => m.name === name)) continue;
    models.push({ name, file, bytes: info.size, created: Math.floor(info.mtimeMs / 1000) });
  }
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * backend → ML: `GET /api/models`, the models this machine holds (the
 * backend's `GET /v1/models` proxies it). Bearer ML_API_TOKEN like
 * process-video: file names and sizes say what the host runs.
 */
export const modelsRoutes: FastifyPluginAsyncZod<ModelsRouteOptions> = async (app, opts) => {
  app.get(
    '/api/models',
    {
      onRequest: async (req, reply) => {
        if (!hasBearerToken(req.headers.authorization, opts.apiToken)) {
          await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', 'missing or wrong Authorization: Bearer <ML_API_TOKEN>'));
        }
      },
      schema: {
        summary: 'The installed Whisper models (backend only)',
        security: [{ bearer: [] }],
        response: { 200: MlModelsResponse, 401: ErrorBody },
      },
    },
    async () => {
      const r = await opts.readiness();
      const active = r.ready ? r.model : null;
      return { active: active?.name ?? null, models: await listInstalledModels(opts.modelsDir, active) };
    },
  );
};
