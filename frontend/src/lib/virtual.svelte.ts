// A thin Svelte 5 (runes) wrapper around @tanstack/virtual-core: the
// virtualizer of a list that scrolls inside an element. Its official Svelte
// adapter is built on Svelte 4 stores and loses track of the scroll element
// under runes (TanStack/virtual#866), so the component-facing part is ours:
// options are read reactively from a getter, and `items` / `totalSize` are
// reactive reads that change whenever the virtualizer reports a change.
//
// Call it during a component's initialisation (it registers effects).

import {
  Virtualizer,
  elementScroll,
  measureElement,
  observeElementOffset,
  observeElementRect,
  type Range,
  type VirtualItem,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';
import { untrack } from 'svelte';

export interface VirtualListOptions {
  count: number;
  getScrollElement: () => HTMLElement | null;
  estimateSize: (index: number) => number;
  getItemKey?: (index: number) => string | number;
  overscan?: number;
  /** Where the list starts inside the scroll element's content (things above it scroll too). */
  scrollMargin?: number;
  rangeExtractor?: (range: Range) => number[];
}

type Opts = VirtualizerOptions<HTMLElement, HTMLElement>;

/**
 * The scroll element's size, as the core observes it; a size of zero (not
 * laid out yet, or a DOM without layout as in unit tests) counts as the
 * window's height, so a first screenful renders anyway.
 */
const observeRect: Opts['observeElementRect'] = (instance, cb) =>
  observeElementRect(instance, (rect) => {
    if (rect.height > 0) return cb(rect);
    const h = typeof window !== 'undefined' && window.innerHeight > 0 ? window.innerHeight : 800;
    cb({ width: rect.width || 800, height: h });
  });

/**
 * A row's real height; a row with no height (no layout: a hidden tab, unit
 * tests) keeps its estimate, or every row would count as 0 px and the whole
 * list would render.
 */
const measureRow: Opts['measureElement'] = (el, entry, instance) => {
  const h = measureElement(el, entry, instance);
  if (h > 0) return h;
  const i = Number(el.getAttribute('data-index'));
  return instance.options.estimateSize(Number.isFinite(i) ? i : 0);
};

export interface VirtualList {
  readonly items: VirtualItem[];
  readonly totalSize: number;
  readonly range: { startIndex: number; endIndex: number } | null;
  scrollToIndex(index: number, align?: 'auto' | 'start' | 'center' | 'end'): void;
  /** Attach to each rendered row (it must carry data-index) to measure its real height. */
  measure(el: HTMLElement): void;
  readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;
}

export function createVirtualList(get: () => VirtualListOptions): VirtualList {
  let version = $state(0);
  const bump = () => {
    version = (version + 1) % 1_000_000;
  };

  const resolve = (o: VirtualListOptions): Opts => ({
    count: o.count,
    getScrollElement: o.getScrollElement,
    estimateSize: o.estimateSize,
    ...(o.getItemKey ? { getItemKey: o.getItemKey } : {}),
    ...(o.rangeExtractor ? { rangeExtractor: o.rangeExtractor } : {}),
    overscan: o.overscan ?? 10,
    scrollMargin: o.scrollMargin ?? 0,
    observeElementRect: observeRect,
    observeElementOffset,
    measureElement: measureRow,
    scrollToFn: elementScroll,
    onChange: () => bump(),
  });

  const v = new Virtualizer<HTMLElement, HTMLElement>(resolve(untrack(get)));

  $effect(() => v._didMount());

  $effect(() => {
    const o = resolve(get()); // tracked: count, scroll element, margin…
    untrack(() => {
      v.setOptions(o);
      v._willUpdate();
      bump();
    });
  });

  // Reads bring the options up to date first: the template may render a
  // changed list before the effect above runs, and measurements cached for
  // the old list would otherwise mix old and new keys (duplicate keys when
  // items are prepended). Pass a getItemKey whose identity changes with the
  // list, so the core recomputes its measurements exactly then.
  const current = () => {
    void version;
    v.setOptions(resolve(get()));
    return v;
  };

  return {
    get items() {
      return current().getVirtualItems();
    },
    get totalSize() {
      return current().getTotalSize();
    },
    get range() {
      return current().range;
    },
    scrollToIndex(index, align = 'auto') {
      v.scrollToIndex(index, { align });
    },
    measure(el) {
      v.measureElement(el);
    },
    virtualizer: v,
  };
}
