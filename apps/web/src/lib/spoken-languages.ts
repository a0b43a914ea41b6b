import { WHISPER_LANGUAGES } from '@ecg/contracts';

const FIRST = ['ko', 'en', 'ja', 'zh'];

/**
 * Whisper's languages for the picker: Korean, English, Japanese, Chinese
 * first (the languages ECG is mostly used with), then the rest alphabetically
 * by their name in the interface language.
 */
export function spokenLanguageOptions(uiLang: string): Array<{ code: string; name: string }> {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([uiLang], { type: 'language' });
  } catch {
    names = null; // very old browsers: Whisper's English names
  }
  const nameOf = (code: string): string => {
    const fallback = WHISPER_LANGUAGES[code] ?? code;
    // "jw" and "haw"-style codes Intl does not know come back unchanged.
    const local = names?.of(code === 'jw' ? 'jv' : code);
    return local && local !== code ? local : fallback;
  };
  const rest = Object.keys(WHISPER_LANGUAGES)
    .filter((c) => !FIRST.includes(c))
    .map((code) => ({ code, name: nameOf(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, uiLang));
  return [...FIRST.map((code) => ({ code, name: nameOf(code) })), ...rest];
}
