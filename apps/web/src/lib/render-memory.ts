import { readJson, writeJson, type KeyValueStore } from './local-store.js';

const KEY = 'ecg.renders';
/** Renders remembered at most; the oldest are forgotten first. */
const MAX = 50;

type Entries = Array<[jobId: string, renderId: string]>;

function entries(store: KeyValueStore | null): Entries {
  const raw = readJson(store, KEY);
  if (!Array.isArray(raw)) return [];
  return raw.filter((e): e is [string, string] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string');
}

/**
 * The latest render started for each job in this browser, so a reload (or
 * coming back later) resumes showing its progress or its download link.
 */
export function rememberedRender(store: KeyValueStore | null, jobId: string): string | null {
  return entries(store).find(([j]) => j === jobId)?.[1] ?? null;
}

export function rememberRender(store: KeyValueStore | null, jobId: string, renderId: string): void {
  const rest = entries(store).filter(([j]) => j !== jobId);
  writeJson(store, KEY, [[jobId, renderId], ...rest].slice(0, MAX));
}

export function forgetRender(store: KeyValueStore | null, jobId: string): void {
  writeJson(
    store,
    KEY,
    entries(store).filter(([j]) => j !== jobId),
  );
}
