import type { ComponentPropsWithRef, ReactNode } from 'react';
import type { FieldProblem } from '../lib/account-fields.js';
import { FieldError } from './FieldError.js';

type InputProps = Omit<ComponentPropsWithRef<'input'>, 'id' | 'className' | 'aria-invalid' | 'aria-describedby'>;

/** An address is typed as it is: no capital the phone adds, no spelling squiggle under it. */
export const EMAIL_INPUT = { type: 'email', autoCapitalize: 'none', spellCheck: false } as const;

/**
 * A labelled text input with its hint and its error under it. The input is
 * described by the error (when there is one), then the hint, then
 * `describedBy` (a line outside the field, such as the form's refusal), so a
 * screen reader reads the reason to fix first. `beside` is a control that
 * shares the input's row (the key form's Create button).
 */
export function TextField({
  id,
  label,
  hint,
  problem,
  describedBy,
  beside,
  ...input
}: InputProps & {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  problem: FieldProblem | undefined;
  describedBy?: string | null;
  beside?: ReactNode;
}) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const field = (
    <input
      {...input}
      id={id}
      className="text-input"
      aria-invalid={problem ? true : undefined}
      aria-describedby={[problem ? errorId : null, hint ? hintId : null, describedBy].filter(Boolean).join(' ') || undefined}
    />
  );
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {beside ? (
        <div className="field-row">
          {field}
          {beside}
        </div>
      ) : (
        field
      )}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <FieldError id={errorId} problem={problem} />
    </div>
  );
}
