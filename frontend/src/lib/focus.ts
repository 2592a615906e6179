// Tells the backend whether the window has the focus, so it polls Inbox,
// Sent Items and the calendar every 15 s while the user looks, 60 s
// otherwise. Sent once at start and on every change (visibilitychange,
// focus, blur); repeated states are not re-sent.

/** Visible and focused: what the user is looking at. */
export function windowFocused(doc: Document = document): boolean {
  const visible = doc.visibilityState !== 'hidden';
  let focused = true;
  try {
    focused = typeof doc.hasFocus === 'function' ? doc.hasFocus() : true;
  } catch {
    /* keep true */
  }
  return visible && focused;
}

/**
 * Calls `send(focused)` now and whenever the window's focus changes.
 * A failure (an older backend without SetFocused, the bridge down) is
 * ignored and the state is sent again at the next change. Returns the
 * function that stops tracking.
 */
export function trackFocus(
  send: (focused: boolean) => Promise<unknown> | void,
  win: Window = window,
): () => void {
  const doc = win.document;
  let last: boolean | null = null;
  const update = (forced?: boolean) => {
    // blur fires before document.hasFocus() turns false: trust the event.
    const now = forced ?? windowFocused(doc);
    if (now === last) return;
    last = now;
    try {
      Promise.resolve(send(now)).catch(() => {
        if (last === now) last = null; // try again on the next change
      });
    } catch {
      last = null;
    }
  };
  const onfocus = () => update(doc.visibilityState !== 'hidden');
  const onblur = () => update(false);
  const onvisibility = () => update();
  win.addEventListener('focus', onfocus);
  win.addEventListener('blur', onblur);
  doc.addEventListener('visibilitychange', onvisibility);
  update();
  return () => {
    win.removeEventListener('focus', onfocus);
    win.removeEventListener('blur', onblur);
    doc.removeEventListener('visibilitychange', onvisibility);
  };
}
