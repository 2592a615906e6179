import { afterEach, describe, expect, it, vi } from 'vitest';
import { trackFocus, windowFocused } from './focus';

let hasFocus = true;
let visibility: DocumentVisibilityState = 'visible';

function setup() {
  vi.spyOn(document, 'hasFocus').mockImplementation(() => hasFocus);
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
}

afterEach(() => {
  hasFocus = true;
  visibility = 'visible';
});

describe('trackFocus', () => {
  it('sends the state once at start, then on blur, focus and visibility changes, without repeats', async () => {
    setup();
    const send = vi.fn().mockResolvedValue(undefined);
    const stop = trackFocus(send);
    expect(send.mock.calls).toEqual([[true]]);

    window.dispatchEvent(new Event('blur'));
    window.dispatchEvent(new Event('blur'));
    expect(send.mock.calls).toEqual([[true], [false]]);

    window.dispatchEvent(new Event('focus'));
    expect(send.mock.calls).toEqual([[true], [false], [true]]);

    visibility = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(send.mock.calls.at(-1)).toEqual([false]);

    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(send.mock.calls.at(-1)).toEqual([true]);

    stop();
    window.dispatchEvent(new Event('blur'));
    expect(send).toHaveBeenCalledTimes(5);
  });

  it('starts unfocused when the window does not have the focus', () => {
    setup();
    hasFocus = false;
    const send = vi.fn();
    const stop = trackFocus(send);
    expect(send).toHaveBeenCalledWith(false);
    expect(windowFocused()).toBe(false);
    stop();
  });

  it('sends the state again after a failed call (an older backend, the bridge down)', async () => {
    setup();
    const send = vi.fn().mockRejectedValueOnce(new Error('no SetFocused')).mockResolvedValue(undefined);
    const stop = trackFocus(send);
    await Promise.resolve();
    await Promise.resolve();
    // Same state again: sent, because the first attempt failed.
    window.dispatchEvent(new Event('focus'));
    expect(send.mock.calls).toEqual([[true], [true]]);
    stop();
  });
});
