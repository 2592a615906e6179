// Keyboard rules every modal dialog shares (UX.md, Keyboard): Esc closes it
// (unless it is busy) without reaching the app's own Esc; Tab and Shift+Tab
// cycle through the dialog's controls and never leave it.

const FOCUSABLE = 'input:not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled), a[href]';

/** Handles a keydown inside a modal whose root is box. */
export function modalKeydown(e: KeyboardEvent, box: HTMLElement | undefined, close: () => void, busy = false): void {
  if (e.key === 'Escape') {
    e.preventDefault();
    e.stopPropagation();
    if (!busy) close();
    return;
  }
  if (e.key !== 'Tab' || !box) return;
  const f = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (f.length === 0) return;
  const first = f[0];
  const last = f[f.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}
