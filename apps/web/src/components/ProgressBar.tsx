export function ProgressBar({ value, label, valueText }: { value: number; label: string; valueText: string }) {
  const pct = Math.max(0, Math.min(100, value));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
