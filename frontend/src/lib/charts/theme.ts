// Chart.js set-up shared by every chart: only the pieces we use are
// registered (tree-shaken build), and the colours come from the page's CSS
// custom properties so light and dark themes (following the OS) look the
// same as the rest of the app. `onThemeChange` tells a chart to repaint when
// the OS switches theme.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  Legend,
} from 'chart.js';

let registered = false;

/** Registers the controllers, elements, scales and plugins the charts use (once). */
export function setupCharts(): typeof Chart {
  if (!registered) {
    Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend, Filler);
    registered = true;
  }
  return Chart;
}

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  /** The neutral series (inbound mail). */
  neutral: string;
  warn: string;
  bg: string;
  font: string;
}

const FALLBACK_LIGHT: ChartTheme = {
  text: '#1f1f22',
  muted: '#6e6e76',
  grid: '#e4e4e1',
  accent: '#2563c9',
  neutral: '#9a9aa3',
  warn: '#a86306',
  bg: '#ffffff',
  font: 'system-ui, sans-serif',
};

/** The theme's colours as the page's CSS defines them right now. */
export function readTheme(el: Element = document.documentElement): ChartTheme {
  let css: CSSStyleDeclaration | null = null;
  try {
    css = getComputedStyle(el);
  } catch {
    css = null;
  }
  const v = (name: string, fallback: string) => (css?.getPropertyValue(name) || '').trim() || fallback;
  return {
    text: v('--text', FALLBACK_LIGHT.text),
    muted: v('--muted', FALLBACK_LIGHT.muted),
    grid: v('--line', FALLBACK_LIGHT.grid),
    accent: v('--accent', FALLBACK_LIGHT.accent),
    neutral: v('--chart-neutral', v('--muted', FALLBACK_LIGHT.neutral)),
    warn: v('--warn', FALLBACK_LIGHT.warn),
    bg: v('--bg', FALLBACK_LIGHT.bg),
    font: v('--font', FALLBACK_LIGHT.font),
  };
}

/** A colour with an alpha, for fills: "#2563c9" → "rgba(37, 99, 201, 0.25)"; other syntaxes unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  let hex = m[1];
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  const n = parseInt(hex, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Calls `cb` when the OS switches between light and dark; returns the unsubscribe. */
export function onThemeChange(cb: () => void): () => void {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => {};
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  const handler = () => cb();
  if (typeof mq.addEventListener === 'function') {
    mq.addEventListener('change', handler);
    return () => mq.removeEventListener('change', handler);
  }
  return () => {};
}

/** Whether this environment can draw on a canvas (false in happy-dom tests). */
export function canDraw(canvas: HTMLCanvasElement): boolean {
  try {
    return !!canvas.getContext('2d');
  } catch {
    return false;
  }
}
