// The wording and order of the sync status screen: pure helpers, tested
// without a DOM.

import type { StreamStatus, SyncProgress, UserError } from './types';
import { progressKey, type StreamProgressMap } from './firstsync';

const KIND_WORDS: Record<string, string> = {
  mail: 'Mail',
  calendar: 'Calendar',
  drive: 'Files',
  'mail-backfill': 'Older mail',
};

export function kindLabel(kind: string): string {
  return KIND_WORDS[kind] ?? kind;
}

export function stateLabel(s: Pick<StreamStatus, 'state' | 'action'>): string {
  switch (s.state) {
    case 'pending':
      return 'Waiting for first sync';
    case 'syncing':
      return 'Syncing';
    case 'ok':
      return 'Up to date';
    case 'error':
      return s.action === 'none' || !s.action ? 'Retrying' : 'Needs you';
    default:
      return String(s.state);
  }
}

const HOT = ['inbox', 'sent items'];

/** Inbox and Sent Items, then the calendars (default first by name), then the other folders, by name. */
export function sortStreams(streams: readonly StreamStatus[]): StreamStatus[] {
  const rank = (s: StreamStatus) => {
    const i = HOT.indexOf(s.name.toLowerCase());
    if (s.kind === 'mail' && i >= 0) return i;
    if (s.kind === 'calendar') return s.name.toLowerCase() === 'calendar' ? 2 : 3;
    return 4;
  };
  return [...streams].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** A stream with the live counts of its latest sync:progress event. */
export function withProgress(upn: string, s: StreamStatus, progress: StreamProgressMap): StreamStatus {
  const p: SyncProgress | undefined = progress[progressKey(upn, s.id || s.name)];
  if (!p) return s;
  const live = { ...s, items: p.items, total: p.total || s.total };
  if (!p.done && s.state !== 'error') live.state = 'syncing';
  return live;
}

/** What an on-premises mailbox means, beyond the backend's sentence. */
export const UNAVAILABLE_EXPLANATION =
  'Rapport reads mail and calendars through Microsoft 365 (Exchange Online). This mailbox is hosted on-premises or not enabled for it, so there is nothing Rapport can sync here; your other accounts are not affected.';

/** What "retries by itself" means, for errors without a user action. */
export const RETRY_EXPLANATION = 'Rapport retries by itself; the other folders keep syncing.';

/**
 * The admin-consent panel for a stream that lacks the administrator's
 * approval, shown by SignInError. Status() carries the tenant's
 * admin-consent link when a stream waits for it; a Re-authorize answer
 * carries it too.
 */
export function consentError(sentence: string, adminConsentUrl?: string): UserError {
  return {
    code: 'consent_required',
    ...(adminConsentUrl ? { adminConsentUrl } : {}),
    title: 'Your administrator must approve Rapport',
    message: sentence || 'Your organisation lets only an administrator approve apps that read mail and calendars.',
    action:
      'Ask your administrator to approve Rapport for the organisation (Microsoft Entra admin center → Enterprise applications → Rapport → Permissions → Grant admin consent), then sign in again.',
    adminMessage: [
      'Hello,',
      '',
      'I use Rapport, a read-only desktop app that shows my client activity from Microsoft 365.',
      'It reads only mail and meeting metadata (subjects, people, times; never bodies or attachments) and keeps it on my laptop.',
      'Our tenant requires an administrator to approve it: in the Microsoft Entra admin center, Enterprise applications → Rapport → Permissions → Grant admin consent.',
      '',
      'Thank you!',
    ].join('\n'),
  };
}
