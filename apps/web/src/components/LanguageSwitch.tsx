import { useI18n, UI_LANGUAGES, type UiLanguage } from '../i18n/i18n.js';
import { LANGUAGE_ENDONYMS } from '../i18n/endonyms.js';

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('app.language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as UiLanguage)} aria-label={t('app.language')}>
        {UI_LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_ENDONYMS[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
