import { MlModelsResponse } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';

export interface MlModelsOptions {
  mlUrl: string;
  mlApiToken: string;
  fetch?: typeof fetch;
  /** How long the ML service may take to list its models. */
  timeoutMs?: number;
}

/** Asks the ML service which Whisper models it holds (`GET /api/models`); 503 MODEL_UNAVAILABLE when it cannot say. */
export function createMlModels(opts: MlModelsOptions): () => Promise<MlModelsResponse> {
  const doFetch = opts.fetch ?? fetch;
  return async () => {
    let res: Response;
    try {
      res = await doFetch(`${opts.mlUrl}/api/models`, {
        headers: { authorization: `Bearer ${opts.mlApiToken}` },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ServiceError('MODEL_UNAVAILABLE', `the transcription service is not reachable (${(err as Error).message}); try again shortly`);
    }
    const parsed = res.ok ? MlModelsResponse.safeParse(await res.json().catch(() => undefined)) : null;
    if (!parsed?.success) {
      throw new ServiceError('MODEL_UNAVAILABLE', `the transcription service did not list its models (HTTP ${res.status}); check ML_URL and ML_API_TOKEN`);
    }
    return parsed.data;
  };
}

/** OpenAI's name for "the speech model": ECG answers it with the model the ML service runs. */
export const WHISPER_1 = 'whisper-1';

/** True when `model` names something this server can run: whisper-1, or an installed model. */
export function isKnownModel(model: string, installed: MlModelsResponse): boolean {
  return model === WHISPER_1 || installed.models.some((m) => m.name === model);
}
