import { Email, NewPassword } from '@ecg/contracts';
import type { MessageKey } from '../i18n/en.js';
import type { Vars } from '../i18n/translate.js';

/** A field's problem as an i18n key and its figures, so the words follow the interface language. */
export interface FieldProblem {
  key: MessageKey;
  vars?: Vars;
}

/** The contract's bounds on a new password (NewPassword), shown in hints and errors. */
export const PASSWORD_MIN = NewPassword.minLength ?? 8;
export const PASSWORD_MAX = NewPassword.maxLength ?? 256;

export function emailProblem(email: string): FieldProblem | null {
  if (email.trim() === '') return { key: 'field.emailMissing' };
  return Email.safeParse(email).success ? null : { key: 'field.emailInvalid' };
}

/** A new password against the contract's rule (length only: NIST asks for no composition rules). */
export function newPasswordProblem(password: string): FieldProblem | null {
  if (password === '') return { key: 'field.passwordMissing' };
  if (password.length < PASSWORD_MIN) return { key: 'field.passwordShort', vars: { min: PASSWORD_MIN } };
  if (password.length > PASSWORD_MAX) return { key: 'field.passwordLong', vars: { max: PASSWORD_MAX } };
  return null;
}

export type NewAccountField = 'email' | 'password' | 'confirm';

/**
 * What stops a new account's form from being sent, field by field, in the
 * order the fields appear (the first one gets focus). `confirm` is checked
 * only when the form has a repeat field (setup; an admin adding a user has none).
 */
export function newAccountProblems(form: { email: string; password: string; confirm?: string }): Array<[NewAccountField, FieldProblem]> {
  const problems: Array<[NewAccountField, FieldProblem]> = [];
  const email = emailProblem(form.email);
  if (email) problems.push(['email', email]);
  const password = newPasswordProblem(form.password);
  if (password) problems.push(['password', password]);
  else if (form.confirm !== undefined && form.confirm !== form.password) problems.push(['confirm', { key: 'field.passwordMismatch' }]);
  return problems;
}

/** The login form checks only that both fields are filled: a malformed address is just a wrong one, as the server treats it. */
export function loginProblems(form: { email: string; password: string }): Array<['email' | 'password', FieldProblem]> {
  const problems: Array<['email' | 'password', FieldProblem]> = [];
  if (form.email.trim() === '') problems.push(['email', { key: 'field.emailMissing' }]);
  if (form.password === '') problems.push(['password', { key: 'field.passwordMissing' }]);
  return problems;
}
