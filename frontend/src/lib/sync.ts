// Turns the backend's Status and the live sync:progress events into what the
// top bar shows. Pure, so it is tested without a DOM.

import type { Status, SyncProgress } from './types';
import { formatCount, relativeTime } from './format';

export type SyncTone = 'ok' | 'busy' | 'error' | 'idle' | 'offline';

export interface SyncView {
  tone: SyncTone;
  text: string;
  /** 0..1 while syncing with known totals, else null. */
  fraction: number | null;
  /** Every stream error, "account · stream: sentence". */
  errors: string[];
}

/** Progress events keyed by account and stream (its id, else its name); done ones are dropped. */
export function applyProgress(map: Record<string, SyncProgress>, p: SyncProgress): Record<string, SyncProgress> {
  const key = `${p.account}\u0000${p.streamId || p.stream}`;
  const next = { ...map };
  if (p.done) delete next[key];
  else next[key] = p;
  return next;
}

export function syncView(
  status: Status | null,
  statusError: string,
  progress: Record<string, SyncProgress>,
  now: Date,
): SyncView {
  const errors: string[] = [];
  for (const a of status?.accounts ?? []) {
    for (const s of a.streams ?? []) {
      if (s.error) errors.push(`${a.displayName || a.upn} · ${s.name || s.kind}: ${s.error}`);
    }
  }
  if (statusError) return { tone: 'error', text: statusError, fraction: null, errors };
  if (status?.offline) {
    const text = status.lastSync ? `Offline · synced ${relativeTime(status.lastSync, now)}` : 'Offline';
    return { tone: 'offline', text, fraction: null, errors };
  }

  const running = Object.values(progress);
  if (status?.syncing || running.length > 0) {
    let items = 0;
    let total = 0;
    for (const p of running) {
      items += p.items;
      total += Math.max(p.total, p.items);
    }
    const fraction = total > 0 ? Math.min(1, items / total) : null;
    const text = total > 0 ? `Syncing… ${formatCount(items)} of ${formatCount(total)}` : 'Syncing…';
    return { tone: 'busy', text, fraction, errors };
  }
  if (errors.length > 0) {
    const first = errors[0].slice(errors[0].indexOf(': ') + 2);
    const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
    return { tone: 'error', text: first + more, fraction: null, errors };
  }
  if (!status) return { tone: 'idle', text: 'Connecting…', fraction: null, errors };
  if (status.lastSync) {
    return { tone: 'ok', text: `Synced ${relativeTime(status.lastSync, now)}`, fraction: null, errors };
  }
  if (status.accounts.length === 0 && !status.demo) {
    return { tone: 'idle', text: 'No account signed in', fraction: null, errors };
  }
  return { tone: 'idle', text: 'Not synced yet', fraction: null, errors };
}
