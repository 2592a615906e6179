// Copying text for the user: the async Clipboard API where the page may use it
// (secure context, permission), else the old execCommand('copy') on a hidden
// textarea, which webviews and plain-http loopback pages still allow.

/** Copies text; resolves true when one of the two ways worked. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (typeof navigator !== 'undefined' && navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* denied or unavailable: try the fallback */
  }
  return copyWithTextarea(text);
}

function copyWithTextarea(text: string): boolean {
  if (typeof document === 'undefined' || typeof document.execCommand !== 'function') return false;
  const active = document.activeElement as HTMLElement | null;
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.setAttribute('aria-hidden', 'true');
  ta.style.position = 'fixed';
  ta.style.top = '0';
  ta.style.left = '-9999px';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  let ok = false;
  try {
    ta.select();
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  } finally {
    ta.remove();
    active?.focus?.();
  }
  return ok;
}

/** Selects the text inside el, so the user can copy it by hand (Ctrl/Cmd+C). */
export function selectContents(el: HTMLElement | null | undefined) {
  if (!el || typeof window === 'undefined' || !window.getSelection) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}
