import { clampStrength, DEFAULT_STRENGTH } from './expressive-style.js';
import { readJson, writeJson, type KeyValueStore } from './local-store.js';

const KEY = 'ecg.expressive';

export interface ExpressivePrefs {
  /** Draw the expressive overlay on the video, and ask for expressive exports and renders. */
  enabled: boolean;
  strength: number;
}

export const DEFAULT_PREFS: ExpressivePrefs = { enabled: true, strength: DEFAULT_STRENGTH };

/** The remembered choice, each field falling back to its default when missing or unreadable. */
export function readExpressivePrefs(store: KeyValueStore | null): ExpressivePrefs {
  const raw = readJson(store, KEY);
  if (typeof raw !== 'object' || raw === null) return DEFAULT_PREFS;
  const r = raw as Record<string, unknown>;
  return {
    enabled: typeof r.enabled === 'boolean' ? r.enabled : DEFAULT_PREFS.enabled,
    strength: 'strength' in r ? clampStrength(r.strength) : DEFAULT_PREFS.strength,
  };
}

export function writeExpressivePrefs(store: KeyValueStore | null, prefs: ExpressivePrefs): void {
  writeJson(store, KEY, { enabled: prefs.enabled, strength: clampStrength(prefs.strength) });
}
