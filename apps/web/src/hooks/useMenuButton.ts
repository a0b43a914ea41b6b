import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';

/**
 * A menu button as the WAI-ARIA Authoring Practices describe it: opening
 * puts focus on the first item, arrows and Home/End move between items,
 * Escape closes back onto the button, Tab closes and moves on, a press
 * outside closes. Items are the `[role="menuitem"]` elements under `root`.
 */
export function useMenuButton() {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const away = (e: PointerEvent): void => {
      if (e.target instanceof Node && !root.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const close = useCallback((refocus: boolean): void => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);

  /** ArrowDown or ArrowUp on the closed button opens the menu. */
  const onButtonKey = (e: KeyboardEvent<HTMLButtonElement>): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
    }
  };

  const onMenuKey = (e: KeyboardEvent<HTMLElement>): void => {
    const all = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number): void => all[(i + all.length) % all.length]?.focus();
    if (e.key === 'ArrowDown') focus(at + 1);
    else if (e.key === 'ArrowUp') focus(at - 1);
    else if (e.key === 'Home') focus(0);
    else if (e.key === 'End') focus(all.length - 1);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') {
      close(false);
      return; // Tab moves on as usual
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return { open, setOpen, root, button, close, onButtonKey, onMenuKey };
}
