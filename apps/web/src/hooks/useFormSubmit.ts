import { useState, type FormEvent, type RefObject } from 'react';
import { asApiError, type ApiError } from '../api/http.js';
import type { FieldProblem } from '../lib/account-fields.js';

export interface FormSubmitOptions<F extends string> {
  /** The inputs, so the first field with a problem can take focus. */
  refs: Record<F, RefObject<HTMLInputElement | null>>;
  /** What stops the form from being sent, in the order the fields appear. */
  check: () => Array<[F, FieldProblem]>;
  /** Sends the form; a rejection is the server's refusal. */
  send: () => Promise<void>;
  /**
   * A refusal that belongs to one field (an address already taken): return the
   * field and its problem to show it there, with focus, instead of as the
   * form's failure. May also act on the refusal (clear a password).
   */
  refused?: (error: ApiError) => [F, FieldProblem] | undefined;
  /** The page goes away once sent (a sign-in): the button stays busy until it has. */
  leaves?: boolean;
}

/**
 * A form's submit, busy and failure state: a second press while sending does
 * nothing, problems found before sending are shown field by field with focus
 * on the first, and the server's refusal is kept as `failure` until the next
 * try.
 */
export function useFormSubmit<F extends string>({ refs, check, send, refused, leaves = false }: FormSubmitOptions<F>) {
  const [problems, setProblems] = useState<Partial<Record<F, FieldProblem>>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    const found = check();
    setProblems(Object.fromEntries(found) as Partial<Record<F, FieldProblem>>);
    setFailure(null);
    if (found.length > 0) {
      refs[found[0]![0]].current?.focus();
      return;
    }
    setBusy(true);
    try {
      await send();
      if (leaves) return;
    } catch (err) {
      const error = asApiError(err);
      const atField = refused?.(error);
      if (atField) {
        setProblems({ [atField[0]]: atField[1] } as Partial<Record<F, FieldProblem>>);
        refs[atField[0]].current?.focus();
      } else {
        setFailure(error);
      }
    }
    setBusy(false);
  };

  return { problems, failure, busy, onSubmit: (e: FormEvent): void => void submit(e) };
}
