import { useCallback, useState } from 'react';
import { readExpressivePrefs, writeExpressivePrefs, type ExpressivePrefs } from '../lib/expressive-prefs.js';
import { browserStore } from '../lib/local-store.js';

/** The expressive-captions toggle and strength, remembered in this browser for every job. */
export function useExpressivePrefs(): [ExpressivePrefs, (next: Partial<ExpressivePrefs>) => void] {
  const [prefs, setPrefs] = useState<ExpressivePrefs>(() => readExpressivePrefs(browserStore()));
  const update = useCallback((next: Partial<ExpressivePrefs>) => {
    setPrefs((p) => {
      const merged = { ...p, ...next };
      writeExpressivePrefs(browserStore(), merged);
      return merged;
    });
  }, []);
  return [prefs, update];
}
