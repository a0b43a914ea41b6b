import type { CaptionIssue } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { describeIssue, formatCps, type CaptionMeasure } from '../lib/caption-qc.js';
import { formatAmount } from '../lib/format.js';

/** A warning sign drawn in SVG, beside text that says the same thing (never colour or the icon alone). */
export function WarningIcon() {
  return (
    <svg className="warn-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 3 2 21h20L12 3z" />
      <path d="M12 10v5M12 18v.01" />
    </svg>
  );
}

/** The issue's line of text, as the row and the QC list both say it. */
export function useIssueText(): (issue: CaptionIssue) => string {
  const { t } = useI18n();
  return (issue) => {
    const { key, vars } = describeIssue(issue);
    return t(key, vars);
  };
}

/**
 * One caption against its profile: reading speed and longest line beside
 * their limits ("17/20 cps · line 38/42"); a figure over its limit is also
 * marked with the warning sign, and the warnings below name the rule.
 */
export function CaptionMeasureLine({ measure }: { measure: CaptionMeasure }) {
  const { t } = useI18n();
  const cps = formatCps(measure.cps, measure.maxCps);
  const vars = { cps, maxCps: formatAmount(measure.maxCps), line: formatAmount(measure.longestLine), maxLine: formatAmount(measure.maxLine) };
  const fast = measure.cps > measure.maxCps;
  const long = measure.longestLine > measure.maxLine;
  return (
    <p className={`cap-measure${fast || long ? ' is-over' : ''}`} data-testid="caption-measure">
      {(fast || long) && <WarningIcon />}
      {/* The short form for the eye, the sentence for screen readers (a paragraph cannot carry an aria-label). */}
      <span aria-hidden="true">{t('qc.measure', vars)}</span>
      <span className="sr-only">{t('qc.measureLabel', vars)}</span>
    </p>
  );
}

/**
 * Every rule the caption breaks, one line each with the sign, the rule and
 * its value against the limit. A group of paragraphs rather than a list:
 * inside a caption's list item, a nested list would make each warning count
 * as one more item of the caption list.
 */
export function CaptionWarnings({ issues, number }: { issues: readonly CaptionIssue[]; number: number }) {
  const { t } = useI18n();
  const text = useIssueText();
  if (issues.length === 0) return null;
  return (
    <div className="cap-warnings" role="group" aria-label={t('qc.warningsLabel', { n: number })} data-testid="caption-warnings">
      {issues.map((issue, i) => (
        <p key={`${i}:${issue.rule}`} className="cap-warning">
          <WarningIcon />
          <span className="sr-only">{t('qc.warning')} </span>
          {text(issue)}
        </p>
      ))}
    </div>
  );
}
