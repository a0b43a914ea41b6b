import { useEffect } from 'react';

/** Whether a key press belongs to a text field: there Ctrl+Z undoes typing, not the last caption edit. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

interface UndoActions {
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Said after each step, for screen readers (the list changes without focus moving). */
  announceUndo: () => void;
  announceRedo: () => void;
}

/** Ctrl/⌘+Z undoes, Ctrl/⌘+Shift+Z and Ctrl/⌘+Y redo, anywhere on the page but in a text field. */
export function useUndoShortcuts({ undo, redo, canUndo, canRedo, announceUndo, announceRedo }: UndoActions): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        if (canUndo) {
          undo();
          announceUndo();
        }
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        if (canRedo) {
          redo();
          announceRedo();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, canUndo, canRedo, announceUndo, announceRedo]);
}
