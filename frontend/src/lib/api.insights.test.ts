// The issue-6 methods of api.ts over the bridge: method names and argument
// order as the Go façade binds them, and what a null or partial answer
// becomes (lists [], figures null) so the screens need no guards.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_HEADER, _resetForTests, api, normalizeInsights } from './api';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

let calls: { method: string; args: unknown[]; token: string | null }[] = [];
let answers: Record<string, unknown> = {};

beforeEach(() => {
  _resetForTests();
  sessionStorage.clear();
  delete window.go;
  window.history.replaceState(null, '', '/?token=tok');
  calls = [];
  answers = {};
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const method = decodeURIComponent(url.replace('/api/call/', ''));
      calls.push({ method, args: JSON.parse(String(init.body)), token: new Headers(init.headers).get(TOKEN_HEADER) });
      const a = answers[method];
      if (a instanceof Error) return jsonResponse({ error: a.message }, 400);
      return jsonResponse(a === undefined ? null : a);
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
  _resetForTests();
});

describe('issue 6 methods over the bridge', () => {
  it('sends each method with its arguments in order', async () => {
    await api.ClientInsights(3, 0);
    await api.Search('Invoice', 30);
    await api.TimelineFiltered(3, 'c1', 50, ['mail'], 'in');
    await api.AcceptSuggestion('litware.com', 'Litware');
    await api.MergeSuggestion('litware.com', 2);
    await api.DismissSuggestion('litware.com');
    await api.ResolveDomain('shared.com', 0);
    await api.AddClientDomain(3, 'contoso.co.uk');
    await api.RemoveClientDomain(3, 'contoso.co.uk');
    await api.AddClientContact(3, 'jo@gmail.com');
    await api.RemoveClientContact(3, 'jo@gmail.com');
    await api.RenameClient(3, 'Contoso Ltd');
    await api.DeleteClient(3);
    await api.LinkItem('mail', 'm1', 3);
    await api.UnlinkItem('mail', 'm1', 3);
    expect(calls.map((c) => [c.method, c.args])).toEqual([
      ['ClientInsights', [3, 0]],
      ['Search', ['Invoice', 30]],
      ['TimelineFiltered', [3, 'c1', 50, ['mail'], 'in']],
      ['AcceptSuggestion', ['litware.com', 'Litware']],
      ['MergeSuggestion', ['litware.com', 2]],
      ['DismissSuggestion', ['litware.com']],
      ['ResolveDomain', ['shared.com', 0]],
      ['AddClientDomain', [3, 'contoso.co.uk']],
      ['RemoveClientDomain', [3, 'contoso.co.uk']],
      ['AddClientContact', [3, 'jo@gmail.com']],
      ['RemoveClientContact', [3, 'jo@gmail.com']],
      ['RenameClient', [3, 'Contoso Ltd']],
      ['DeleteClient', [3]],
      ['LinkItem', ['mail', 'm1', 3]],
      ['UnlinkItem', ['mail', 'm1', 3]],
    ]);
    expect(calls.every((c) => c.token === 'tok')).toBe(true);
  });

  it('turns null lists into [] and fills missing overview fields', async () => {
    expect(await api.Overview()).toEqual([]);
    expect(await api.Attention()).toEqual([]);
    expect(await api.Search('x', 5)).toEqual([]);
    expect(await api.Suggestions()).toEqual([]);
    expect(await api.Ambiguities()).toEqual([]);
    expect(await api.ClientContacts(1)).toEqual([]);
    expect(await api.TimelineFiltered(1, '', 10, [], '')).toEqual({ items: [], cursor: '' });
    answers.Overview = [{ id: 1, name: 'Contoso', weeklyVolume: null, attention: null }];
    expect(await api.Overview()).toEqual([
      {
        id: 1,
        name: 'Contoso',
        domains: [],
        lastContact: null,
        weeklyVolume: [],
        weeks: [],
        emailIn: 0,
        emailOut: 0,
        myMedianReplyMinutes: null,
        nextMeeting: null,
        attention: [],
      },
    ]);
    answers.Search = [{ kind: 'file', title: 'Invoice 2042.pdf', itemId: '30', clientIds: null, clientNames: null }];
    expect(await api.Search('Invoice', 5)).toEqual([{ kind: 'file', title: 'Invoice 2042.pdf', at: '', counterpart: '', clientIds: [], clientNames: [], itemId: '30' }]);
  });

  it('fills ClientInsights so that every figure is a number or null', async () => {
    const x = normalizeInsights({ clientId: 2, myReply: { count: 3, unanswered: 1, medianMinutes: 90, p90Minutes: null } } as never);
    expect(x.myReply).toEqual({ count: 3, unanswered: 1, medianMinutes: 90, p90Minutes: null });
    expect(x.theirReply).toEqual({ count: 0, unanswered: 0, medianMinutes: null, p90Minutes: null });
    expect(x.meetings).toEqual({ count: 0, per30Days: 0, last: null, daysSinceLast: null, next: null, medianGapDays: null });
    expect(x.files).toEqual({ changes: 0, weekly: [], lastChange: null });
    expect(x.emailVolume).toEqual([]);
    expect(x.days).toBe(90);
    expect((await api.ClientInsights(7, 0)).clientId).toBe(7);
  });

  it('returns the export file, and says so when there is none', async () => {
    answers.ExportClient = { name: 'Contoso-2026-11-22.csv', mime: 'text/csv;charset=utf-8', content: '\uFEFFClient\r\n' };
    expect(await api.ExportClient(1, 'csv')).toEqual({ name: 'Contoso-2026-11-22.csv', mime: 'text/csv;charset=utf-8', content: '\uFEFFClient\r\n' });
    expect(calls.at(-1)).toMatchObject({ method: 'ExportClient', args: [1, 'csv'] });
    answers.ExportClient = null;
    await expect(api.ExportClient(1, 'json')).rejects.toThrow('Rapport sent no export. Try again.');
  });

  it('passes the backend sentence of a refused rule change', async () => {
    answers.AddClientDomain = new Error('adatum.com is your own organisation\'s domain (me@adatum.com), so it cannot identify a client');
    await expect(api.AddClientDomain(1, 'adatum.com')).rejects.toThrow(/^Adatum\.com is your own organisation's domain/);
    answers.AcceptSuggestion = { id: 9, name: 'Litware', domains: ['litware.com'] };
    expect(await api.AcceptSuggestion('litware.com', '')).toEqual({ id: 9, name: 'Litware', domains: ['litware.com'] });
  });
});

describe('issue 6 methods inside the Wails window', () => {
  it('calls the bound Go methods', async () => {
    const Overview = vi.fn().mockResolvedValue(null);
    const Search = vi.fn().mockResolvedValue([{ kind: 'mail', title: 'Hi', at: '', counterpart: 'A', clientIds: [1], clientNames: ['C'], itemId: 'm' }]);
    window.go = { app: { App: { Overview, Search } } };
    expect(await api.Overview()).toEqual([]);
    expect((await api.Search('Hi', 3))[0].clientNames).toEqual(['C']);
    expect(Search).toHaveBeenCalledWith('Hi', 3);
    delete window.go;
  });
});
