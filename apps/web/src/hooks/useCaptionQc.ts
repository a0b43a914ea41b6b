import { useMemo, useRef } from 'react';
import { checkCaptions, type CheckOptions } from '@ecg/captions';
import type { Caption, CaptionIssue, CaptionProfile } from '@ecg/contracts';
import { groupIssues } from '../lib/caption-qc.js';

export interface CaptionQc {
  /** Every issue, in caption order (the QC list). */
  issues: CaptionIssue[];
  /** The same by caption id; an unchanged caption keeps its array between edits (the rows are memoised). */
  byCaption: ReadonlyMap<string, readonly CaptionIssue[]>;
}

/**
 * The captions checked against the profile in the browser, after every
 * edit, by the same checker the backend's check route runs: no request per
 * keystroke, and the warnings follow undo and redo at once. A few thousand
 * captions check in well under a frame.
 */
export function useCaptionQc(captions: readonly Caption[], profile: CaptionProfile, options: CheckOptions): CaptionQc {
  const previous = useRef<ReadonlyMap<string, readonly CaptionIssue[]>>(new Map());
  return useMemo(() => {
    const issues = checkCaptions(captions, profile, options);
    const byCaption = groupIssues(issues, previous.current);
    previous.current = byCaption;
    return { issues, byCaption };
  }, [captions, profile, options]);
}
