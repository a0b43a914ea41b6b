import { useI18n } from '../i18n/i18n.js';
import type { FieldProblem } from '../lib/account-fields.js';

/** A form field's error under it, referenced by the field's aria-describedby; nothing when the field is fine. */
export function FieldError({ id, problem }: { id: string; problem: FieldProblem | undefined }) {
  const { t } = useI18n();
  if (!problem) return null;
  return (
    <p id={id} className="field-error">
      <span className="sr-only">{t('field.errorPrefix')} </span>
      {t(problem.key, problem.vars)}
    </p>
  );
}
