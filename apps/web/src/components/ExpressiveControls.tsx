import { useId } from 'react';
import { useI18n } from '../i18n/i18n.js';
import type { ExpressivePrefs } from '../lib/expressive-prefs.js';
import { DEFAULT_STRENGTH, MAX_STRENGTH, MIN_STRENGTH } from '../lib/expressive-style.js';

interface Props {
  prefs: ExpressivePrefs;
  onChange: (next: Partial<ExpressivePrefs>) => void;
}

/** The expressive-captions switch and strength, shared by the preview, the ASS download and the rendered video. */
export function ExpressiveControls({ prefs, onChange }: Props) {
  const { t } = useI18n();
  const ids = { toggle: useId(), slider: useId(), hint: useId() };
  const value = prefs.strength.toFixed(1);
  const valueText =
    prefs.strength === MIN_STRENGTH
      ? t('expressive.strengthPlain', { value })
      : prefs.strength === DEFAULT_STRENGTH
        ? t('expressive.strengthDefault', { value })
        : prefs.strength === MAX_STRENGTH
          ? t('expressive.strengthStrong', { value })
          : value;
  return (
    <fieldset className="expressive-controls">
      <legend className="sr-only">{t('expressive.title')}</legend>
      <label className="switch" htmlFor={ids.toggle}>
        <input
          id={ids.toggle}
          type="checkbox"
          role="switch"
          checked={prefs.enabled}
          aria-describedby={ids.hint}
          onChange={(e) => onChange({ enabled: e.target.checked })}
        />
        <span>{t('expressive.toggle')}</span>
      </label>
      <div className="strength">
        <label htmlFor={ids.slider}>{t('expressive.strength')}</label>
        <input
          id={ids.slider}
          type="range"
          min={MIN_STRENGTH}
          max={MAX_STRENGTH}
          step={0.1}
          value={prefs.strength}
          disabled={!prefs.enabled}
          aria-valuetext={valueText}
          onChange={(e) => onChange({ strength: Number(e.target.value) })}
        />
        <output htmlFor={ids.slider} className="strength-value">
          {value}
        </output>
        <div className="strength-scale" aria-hidden="true">
          <span>{t('expressive.plain')}</span>
          <span>{t('expressive.default')}</span>
          <span>{t('expressive.strong')}</span>
        </div>
      </div>
      <p id={ids.hint} className="hint">
        {t('expressive.hint')}
      </p>
    </fieldset>
  );
}
