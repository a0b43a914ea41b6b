/**
 * The ML service's HTTP app (buildApp) over a real file job store, with a
 * job queue that runs nothing and a model that is always ready: for route
 * tests that need no whisper-cli, ffmpeg or listening socket (app.inject).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.js';
import { FileJobStore } from '../../src/queue/file-job-store.js';

export const ROUTE_TOKEN = 'route-test-token';

export interface RouteApp {
  app: FastifyInstance;
  store: FileJobStore;
  submitted: string[];
  close(): Promise<void>;
}

export async function startRouteApp(overrides: Partial<AppDeps> = {}): Promise<RouteApp> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-ml-routes-'));
  const store = await new FileJobStore(join(dir, 'jobs')).init();
  const submitted: string[] = [];
  const app = await buildApp({
    apiToken: ROUTE_TOKEN,
    modelsDir: join(dir, 'models'),
    backendUrl: 'http://127.0.0.1:8000',
    callbackAllowedOrigins: ['http://127.0.0.1:8000', 'https://api.example.com'],
    webOrigins: ['http://127.0.0.1:8000'],
    threads: 1,
    engineName: 'test',
    statusRateLimitPerMinute: 1000,
    store,
    queue: {
      submit: async (id) => {
        submitted.push(id);
        return 'queued';
      },
      cancel: async (id) => store.get(id),
      isAccepting: () => true,
      stats: async () => ({ waiting: 0, running: 0, concurrency: 1 }),
    },
    readiness: async () => ({
      ready: true,
      model: { name: 'test', path: '/nowhere/model.bin' },
      binaryPath: '/nowhere/whisper-cli',
      tools: { ffmpeg: 'ffmpeg', ffprobe: null, source: 'PATH' },
      vadModelPath: undefined,
      vadBinaryPath: undefined,
    }),
    ...overrides,
  });
  await app.ready();
  return {
    app,
    store,
    submitted,
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
