// The shell's view of issue 6's cross-client data: the overview (home
// screen and the sidebar's NEEDS ATTENTION list), and the suggestions inbox
// (suggested clients plus "which client?" questions, counted in the
// sidebar). Loaded once, then again when the backend says data changed —
// at most every few seconds, since the figures cover every client.

import type { Ambiguity, Backend, ClientOverview, DataChanged, Suggestion } from './types';
import { orderedReasons, attentionScore } from './insights';

type Source = Pick<Backend, 'Overview' | 'Suggestions' | 'Ambiguities'>;
type Subscribe = (name: 'data:changed', cb: (d: DataChanged) => void) => () => void;

/** Coalesces calls: one run at a time, one more if asked meanwhile. */
function coalesce(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

export class OverviewState {
  overview = $state<ClientOverview[]>([]);
  loaded = $state(false);
  error = $state('');
  suggestions = $state<Suggestion[]>([]);
  ambiguities = $state<Ambiguity[]>([]);
  suggestionsLoaded = $state(false);
  suggestionsError = $state('');

  /** Clients with a reason for attention, most urgent first. */
  readonly attention = $derived(
    this.overview
      .filter((c) => c.attention.length > 0)
      .map((c) => ({ ...c, attention: orderedReasons(c.attention) }))
      .sort((a, b) => attentionScore(b) - attentionScore(a) || a.name.localeCompare(b.name)),
  );
  /** What the sidebar's SUGGESTIONS count shows. */
  readonly pending = $derived(this.suggestions.length + this.ambiguities.length);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #last = 0;

  private backend: Source;
  private minInterval: number;

  constructor(backend: Source, minInterval = 3000) {
    this.backend = backend;
    this.minInterval = minInterval;
  }

  readonly loadOverview = coalesce(async () => {
    if (typeof this.backend.Overview !== 'function') return;
    try {
      this.overview = await this.backend.Overview();
      this.error = '';
      this.loaded = true;
    } catch (err) {
      this.error = (err as Error).message;
    }
  });

  readonly loadSuggestions = coalesce(async () => {
    if (typeof this.backend.Suggestions !== 'function') return;
    try {
      const [s, a] = await Promise.all([
        this.backend.Suggestions(),
        typeof this.backend.Ambiguities === 'function' ? this.backend.Ambiguities() : Promise.resolve([]),
      ]);
      this.suggestions = s;
      this.ambiguities = a;
      this.suggestionsError = '';
      this.suggestionsLoaded = true;
    } catch (err) {
      this.suggestionsError = (err as Error).message;
    }
  });

  /** Loads both now. */
  load(): Promise<void> {
    this.#last = Date.now();
    return Promise.all([this.loadOverview(), this.loadSuggestions()]).then(() => undefined);
  }

  /** Loads both soon: at once if the last load is old enough, else once the interval has passed. */
  refreshSoon(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#last + this.minInterval - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.load();
    }, wait);
  }

  /** Loads, then follows data:changed; returns the stop function. */
  start(subscribe: Subscribe): () => void {
    this.load();
    const off = subscribe('data:changed', () => this.refreshSoon());
    return () => {
      off();
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }
}
