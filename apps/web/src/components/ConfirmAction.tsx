import { useEffect, useId, useRef, useState } from 'react';

interface Props {
  /** The button's visible word ("Revoke") and its full name for screen readers ("Revoke Backup script"). */
  label: string;
  name: string;
  prompt: string;
  confirmLabel: string;
  cancelLabel: string;
  busyLabel: string;
  /** Resolves when done; a rejection leaves the button as it was (the caller shows the error). */
  onConfirm: () => Promise<void>;
}

/**
 * A destructive action in two steps, as the job list's Delete: the first
 * press only asks (focus moves to the confirming button; Escape or the cancel
 * button goes back to where it was), the second does it.
 */
export function ConfirmAction({ label, name, prompt, confirmLabel, cancelLabel, busyLabel, onConfirm }: Props) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const promptId = useId();

  useEffect(() => {
    if (step === 'confirm') confirmRef.current?.focus();
    else if (step === 'idle' && wasConfirming.current) startRef.current?.focus();
    wasConfirming.current = step === 'confirm';
  }, [step]);

  const run = async (): Promise<void> => {
    setStep('busy');
    try {
      await onConfirm();
    } catch {
      // The caller has shown what went wrong; the action can be tried again.
    }
    setStep('idle');
  };

  if (step === 'confirm') {
    return (
      <div
        role="group"
        aria-labelledby={promptId}
        className="confirm-action"
        onKeyDown={(e) => {
          if (e.key === 'Escape') setStep('idle');
        }}
      >
        <span id={promptId}>{prompt}</span>{' '}
        <button ref={confirmRef} type="button" className="btn btn-danger btn-small" onClick={() => void run()}>
          {confirmLabel}
        </button>{' '}
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setStep('idle')}>
          {cancelLabel}
        </button>
      </div>
    );
  }
  return (
    <button ref={startRef} type="button" className="btn btn-ghost btn-small" disabled={step === 'busy'} aria-label={name} onClick={() => setStep('confirm')}>
      {step === 'busy' ? busyLabel : label}
    </button>
  );
}
