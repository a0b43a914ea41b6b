import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en.js';
import { ko } from './ko.js';
import { detectLanguage, format, type UiLanguage, type Vars } from './translate.js';

export type { UiLanguage } from './translate.js';

export const UI_LANGUAGES: readonly UiLanguage[] = ['ko', 'en'];
const DICTIONARIES: Record<UiLanguage, Messages> = { en, ko };
const STORAGE_KEY = 'ecg.uiLanguage';

interface I18n {
  lang: UiLanguage;
  setLang: (lang: UiLanguage) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  messages: Messages;
}

const I18nContext = createContext<I18n | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode): fall back to the browser language
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<UiLanguage>(() =>
    detectLanguage(readStored(), navigator.languages.length > 0 ? navigator.languages : [navigator.language]),
  );
  const setLang = useCallback((next: UiLanguage) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered across visits; the switch still applies now.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const messages = DICTIONARIES[lang];
    return { lang, setLang, messages, t: (key, vars) => format(messages[key], vars) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
