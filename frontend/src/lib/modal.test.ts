import { describe, expect, it, vi } from 'vitest';
import { modalKeydown } from './modal';

function dialog(): HTMLElement {
  const box = document.createElement('div');
  box.innerHTML = '<input id="a"><button id="b" disabled>x</button><button id="c">ok</button>';
  document.body.append(box);
  return box;
}

const key = (k: string, shift = false) => new KeyboardEvent('keydown', { key: k, shiftKey: shift, cancelable: true, bubbles: true });

describe('modalKeydown', () => {
  it('closes on Esc, but not while busy, and keeps Esc from the app', () => {
    const close = vi.fn();
    const e = key('Escape');
    const stop = vi.spyOn(e, 'stopPropagation');
    modalKeydown(e, dialog(), close);
    expect(close).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalled();
    modalKeydown(key('Escape'), dialog(), close, true);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('wraps Tab from the last control to the first and Shift+Tab back, skipping disabled ones', () => {
    const box = dialog();
    const first = box.querySelector<HTMLElement>('#a')!;
    const last = box.querySelector<HTMLElement>('#c')!;
    last.focus();
    const tab = key('Tab');
    modalKeydown(tab, box, () => {});
    expect(document.activeElement).toBe(first);
    expect(tab.defaultPrevented).toBe(true);
    modalKeydown(key('Tab', true), box, () => {});
    expect(document.activeElement).toBe(last);
    const inner = key('Tab');
    first.focus();
    modalKeydown(inner, box, () => {});
    expect(inner.defaultPrevented).toBe(false); // the browser moves on inside the dialog
  });
});
