import type { UiLanguage } from './i18n.js';

/** Each interface language named in itself, so a person can find theirs whatever is showing. */
export const LANGUAGE_ENDONYMS: Record<UiLanguage, string> = { ko: '한국어', en: 'English' };
