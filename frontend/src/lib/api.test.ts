import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MSG_BAD_TOKEN, MSG_UNREACHABLE, TOKEN_HEADER, TOKEN_KEY, _resetForTests, api, bridgeToken, inWails, isHttpsURL, normalizeAccount, on } from './api';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

class FakeEventSource {
  static instances: FakeEventSource[] = [];
  url: string;
  closed = false;
  handlers = new Map<string, ((ev: unknown) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(name: string, cb: (ev: unknown) => void) {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), cb]);
  }
  emit(name: string, data?: string) {
    for (const cb of this.handlers.get(name) ?? []) cb({ data });
  }
  close() {
    this.closed = true;
  }
}

beforeEach(() => {
  _resetForTests();
  sessionStorage.clear();
  delete window.go;
  delete window.runtime;
  FakeEventSource.instances = [];
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  vi.unstubAllGlobals();
  _resetForTests();
});

describe('bridge transport (browser, rapport serve)', () => {
  it('takes the token from the URL, keeps it in sessionStorage and strips it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=s3cret&view=x#frag');
    expect(inWails()).toBe(false);
    expect(bridgeToken()).toBe('s3cret');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('s3cret');
    expect(window.location.search).toBe('?view=x');
    expect(window.location.hash).toBe('#frag');
    expect(window.location.href).not.toContain('s3cret');
  });

  it('reads the token back from sessionStorage after a reload', () => {
    sessionStorage.setItem(TOKEN_KEY, 'kept');
    expect(bridgeToken()).toBe('kept');
  });

  it('POSTs /api/call/<Method> with the token header and a JSON array of arguments', async () => {
    window.history.replaceState(null, '', '/?token=tok1');
    const page = { items: [{ kind: 'mail', at: '2024-03-01T10:00:00Z', counterpart: 'A', title: 'T', itemId: '1' }], cursor: 'c2' };
    const fetchMock = vi.fn(async (..._args: unknown[]) => jsonResponse(page));
    vi.stubGlobal('fetch', fetchMock);

    const got = await api.Timeline(7, 'c1', 50);

    expect(got).toEqual(page);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/call/Timeline');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)[TOKEN_HEADER]).toBe('tok1');
    expect(JSON.parse(init.body as string)).toEqual([7, 'c1', 50]);
  });

  it('sends an empty array for methods without arguments and tolerates an empty body', async () => {
    window.history.replaceState(null, '', '/?token=t');
    const fetchMock = vi.fn(async (..._args: unknown[]) => new Response('', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(api.SyncNow()).resolves.toBeUndefined();
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/call/SyncNow');
    expect(init.body).toBe('[]');
  });

  it("throws the backend's one-sentence error", async () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ error: 'That client no longer exists.' }, 404)));
    await expect(api.Timeline(99, '', 50)).rejects.toThrow('That client no longer exists.');
  });

  it('explains a missing or wrong token (401)', async () => {
    window.history.replaceState(null, '', '/?token=wrong');
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ error: 'unauthorized' }, 401)));
    await expect(api.Clients()).rejects.toThrow(MSG_BAD_TOKEN);
  });

  it('does not call the backend at all without a token', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    await expect(api.Clients()).rejects.toThrow(MSG_BAD_TOKEN);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('says so when the server cannot be reached', async () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(api.Status()).rejects.toThrow(MSG_UNREACHABLE);
  });

  it('gives a readable sentence for a non-JSON error body', async () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>oops</html>', { status: 500 })));
    await expect(api.Clients()).rejects.toThrow(/HTTP 500/);
  });

  it('fills defaults for a partial Status and a null client list', async () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('fetch', vi.fn(async (url: string) => jsonResponse(url.endsWith('Status') ? { demo: true } : null)));
    await expect(api.Status()).resolves.toEqual({ accounts: [], syncing: false, demo: true, lastSync: null, offline: false, focused: false });
    await expect(api.Clients()).resolves.toEqual([]);
  });

  it('receives named SSE events from /api/events?token=… and parses their JSON', () => {
    window.history.replaceState(null, '', '/?token=ev%20t');
    vi.stubGlobal('EventSource', FakeEventSource);
    const changed = vi.fn();
    const progress = vi.fn();
    const off1 = on('data:changed', changed);
    const off2 = on('sync:progress', progress);

    expect(FakeEventSource.instances).toHaveLength(1);
    const es = FakeEventSource.instances[0];
    expect(es.url).toBe('/api/events?token=ev%20t');

    es.emit('data:changed', JSON.stringify({ kinds: ['mail'], clientIds: [3] }));
    es.emit('sync:progress', JSON.stringify({ account: 'a', stream: 'Inbox', items: 5, total: 10, done: false }));
    expect(changed).toHaveBeenCalledWith({ kinds: ['mail'], clientIds: [3] });
    expect(progress).toHaveBeenCalledWith({ account: 'a', stream: 'Inbox', items: 5, total: 10, done: false });

    off1();
    expect(es.closed).toBe(false);
    off2();
    expect(es.closed).toBe(true);
  });

  it('asks for a full refresh after the event stream reconnects', () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('EventSource', FakeEventSource);
    const changed = vi.fn();
    on('data:changed', changed);
    const es = FakeEventSource.instances[0];
    es.emit('open');
    expect(changed).not.toHaveBeenCalled();
    es.emit('error');
    es.emit('open');
    expect(changed).toHaveBeenCalledWith({ kinds: [], clientIds: [] });
  });
});

describe('Wails transport (desktop window)', () => {
  it('calls the bound Go methods and never fetch', async () => {
    const clients = [{ id: 1, name: 'Contoso', domains: ['contoso.com'], items: 3, lastContact: null }];
    const App = {
      Clients: vi.fn().mockResolvedValue(clients),
      Timeline: vi.fn().mockResolvedValue({ items: [], cursor: '' }),
      OpenURL: vi.fn().mockResolvedValue(undefined),
    };
    window.go = { app: { App } };
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);

    expect(inWails()).toBe(true);
    await expect(api.Clients()).resolves.toEqual(clients);
    await api.Timeline(1, '', 25);
    expect(App.Timeline).toHaveBeenCalledWith(1, '', 25);
    await api.OpenURL('https://outlook.office.com/mail/1');
    expect(App.OpenURL).toHaveBeenCalledWith('https://outlook.office.com/mail/1');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('turns a Go error (rejected string) into an Error with that sentence', async () => {
    window.go = { app: { App: { Status: vi.fn().mockRejectedValue('Sign in again: your session expired.') } } };
    await expect(api.Status()).rejects.toThrow('Sign in again: your session expired.');
  });

  it('subscribes through runtime.EventsOn and returns its unsubscribe function', () => {
    window.go = { app: { App: {} } };
    const off = vi.fn();
    let handler: ((...d: unknown[]) => void) | undefined;
    window.runtime = {
      EventsOn: vi.fn((_name: string, cb: (...d: unknown[]) => void) => {
        handler = cb;
        return off;
      }),
    };
    const cb = vi.fn();
    const unsubscribe = on('data:changed', cb);
    expect(window.runtime.EventsOn).toHaveBeenCalledWith('data:changed', expect.any(Function));
    handler!({ kinds: ['meeting'], clientIds: [2] });
    expect(cb).toHaveBeenCalledWith({ kinds: ['meeting'], clientIds: [2] });
    unsubscribe();
    expect(off).toHaveBeenCalled();
  });
});

describe('OpenURL', () => {
  it('refuses anything but https, without calling the backend', async () => {
    const OpenURL = vi.fn();
    window.go = { app: { App: { OpenURL } } };
    for (const bad of ['http://example.com', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '']) {
      await expect(api.OpenURL(bad)).rejects.toThrow(/https/);
    }
    expect(OpenURL).not.toHaveBeenCalled();
  });

  it('isHttpsURL', () => {
    expect(isHttpsURL('https://contoso.sharepoint.com/x')).toBe(true);
    expect(isHttpsURL('HTTPS://outlook.office.com/')).toBe(true);
    expect(isHttpsURL('http://outlook.office.com/')).toBe(false);
    expect(isHttpsURL(' javascript:alert(1)')).toBe(false);
    expect(isHttpsURL(undefined)).toBe(false);
  });
});

describe('sign-in and accounts methods', () => {
  function bridge(answer: (method: string, args: unknown[]) => Response) {
    window.history.replaceState(null, '', '/?token=t');
    const fetchMock = vi.fn(async (url: string, init: RequestInit) =>
      answer(url.replace('/api/call/', ''), JSON.parse(init.body as string)),
    );
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  }
  const sent = (m: ReturnType<typeof bridge>, i = 0) => {
    const [url, init] = m.mock.calls[i] as unknown as [string, RequestInit];
    return [url, JSON.parse(init.body as string)];
  };

  it('calls each method with its arguments as a JSON array', async () => {
    const m = bridge(() => new Response('', { status: 200 }));
    await api.CancelSignIn();
    await api.RemoveAccount('a@x.com', true);
    await api.StartDemo();
    await api.SaveSettings({ clientId: 'c', authority: 'https://l/t', allowPersonalAccounts: false });
    expect(sent(m, 0)).toEqual(['/api/call/CancelSignIn', []]);
    expect(sent(m, 1)).toEqual(['/api/call/RemoveAccount', ['a@x.com', true]]);
    expect(sent(m, 2)).toEqual(['/api/call/StartDemo', []]);
    expect(sent(m, 3)).toEqual(['/api/call/SaveSettings', [{ clientId: 'c', authority: 'https://l/t', allowPersonalAccounts: false }]]);
  });

  it('SignIn and Reauthorize pass their flags and return the outcome', async () => {
    const m = bridge((method) =>
      method === 'SignIn'
        ? jsonResponse({ ok: true, account: { upn: 'a@x.com', displayName: 'A', tenantId: 't', scopes: null, state: 'ok', filesEnabled: false, missingScopes: ['Files.Read.All'], error: '' } })
        : jsonResponse({ ok: false, error: { code: 'missing_scope', title: 'T', message: 'M', action: 'A', adminConsentUrl: 'https://l/adminconsent?client_id=c' } }),
    );
    const o = await api.SignIn(false);
    expect(sent(m, 0)).toEqual(['/api/call/SignIn', [false]]);
    expect(o).toEqual({ ok: true, account: { upn: 'a@x.com', displayName: 'A', tenantId: 't', scopes: [], state: 'ok', filesEnabled: false, missingScopes: ['Files.Read.All'], error: '' } });
    const r = await api.Reauthorize('a@x.com', true);
    expect(sent(m, 1)).toEqual(['/api/call/Reauthorize', ['a@x.com', true]]);
    expect(r).toEqual({ ok: false, error: { code: 'missing_scope', title: 'T', message: 'M', action: 'A', adminConsentUrl: 'https://l/adminconsent?client_id=c' } });
  });

  it('turns a failed sign-in call into a signin_failed outcome with the sentence', async () => {
    bridge(() => jsonResponse({ error: 'Another sign-in is already waiting for the browser.' }, 409));
    await expect(api.SignIn(false)).resolves.toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'signin_failed', message: 'Another sign-in is already waiting for the browser.' }),
    });
    bridge(() => jsonResponse(null));
    const o = await api.Reauthorize('a@x.com', true);
    expect(o.ok).toBe(false);
    expect(o.error?.code).toBe('signin_failed');
    bridge(() => jsonResponse({ ok: false }));
    expect((await api.SignIn(true)).error).toEqual(expect.objectContaining({ code: 'signin_failed', title: expect.any(String) }));
  });

  it('fills defaults for accounts and settings', async () => {
    bridge((method) =>
      method === 'Accounts'
        ? jsonResponse([{ upn: 'a@x.com', scopes: ['User.Read', 'https://graph.microsoft.com/Files.Read.All'] }, { upn: 'b@x.com', state: 'weird' }])
        : jsonResponse({ clientId: 'c', extra: 1 }),
    );
    const list = await api.Accounts();
    expect(list[0]).toEqual({ upn: 'a@x.com', displayName: '', tenantId: '', scopes: ['User.Read', 'https://graph.microsoft.com/Files.Read.All'], state: 'ok', filesEnabled: true, missingScopes: [], error: '' });
    expect(list[1].state).toBe('ok');
    expect(list[1].filesEnabled).toBe(false);
    await expect(api.Settings()).resolves.toEqual({ clientId: 'c', authority: '', allowPersonalAccounts: false, extra: 1 });
    bridge(() => jsonResponse(null));
    await expect(api.Accounts()).resolves.toEqual([]);
  });

  it('keeps the backend’s filesEnabled over the scopes', () => {
    expect(normalizeAccount({ upn: 'a', scopes: ['Files.Read.All'], filesEnabled: false }).filesEnabled).toBe(false);
    expect(normalizeAccount({ upn: 'a', state: 'signin_required' }).state).toBe('signin_required');
  });

  it('reaches the bound Go methods in the Wails window', async () => {
    const App = {
      SignIn: vi.fn().mockResolvedValue({ ok: true }),
      Reauthorize: vi.fn().mockRejectedValue('sign-in did not finish: the browser was closed'),
      Accounts: vi.fn().mockResolvedValue(null),
    };
    window.go = { app: { App } };
    await expect(api.SignIn(true)).resolves.toEqual({ ok: true });
    expect(App.SignIn).toHaveBeenCalledWith(true);
    const o = await api.Reauthorize('a@x.com', false);
    expect(App.Reauthorize).toHaveBeenCalledWith('a@x.com', false);
    expect(o.error?.message).toBe('Sign-in did not finish: the browser was closed');
    await expect(api.Accounts()).resolves.toEqual([]);
  });
});

describe('sync methods (issue 4)', () => {
  function bridge(answer: (method: string, args: unknown[]) => Response) {
    window.history.replaceState(null, '', '/?token=t');
    const fetchMock = vi.fn(async (url: string, init: RequestInit) =>
      answer(url.replace('/api/call/', ''), JSON.parse(init.body as string)),
    );
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  }
  const calls = (m: ReturnType<typeof bridge>) =>
    m.mock.calls.map((c) => {
      const [url, init] = c as unknown as [string, RequestInit];
      return [url.replace('/api/call/', ''), JSON.parse(init.body as string)];
    });

  it('sends each setter with its arguments as a JSON array', async () => {
    const m = bridge(() => new Response('', { status: 200 }));
    await api.SetFocused(true);
    await api.SetFolderIncluded('a@x.com', 'F1', false);
    await api.SetCalendarIncluded('a@x.com', 'C1', true);
    await api.SetHistory('a@x.com', 180, '');
    await api.SetHistory('a@x.com', 0, '2026-01-31');
    await api.LoadOlderHistory('a@x.com', 90);
    expect(calls(m)).toEqual([
      ['SetFocused', [true]],
      ['SetFolderIncluded', ['a@x.com', 'F1', false]],
      ['SetCalendarIncluded', ['a@x.com', 'C1', true]],
      ['SetHistory', ['a@x.com', 180, '']],
      ['SetHistory', ['a@x.com', 0, '2026-01-31']],
      ['LoadOlderHistory', ['a@x.com', 90]],
    ]);
  });

  it('returns lists (null as empty), settings with defaults, and a null summary', async () => {
    const folder = { id: 'F1', name: 'Inbox', path: 'Inbox', parentId: 'R', wellKnown: 'inbox', hidden: false, included: true, default: true, items: 3, total: 4 };
    const m = bridge((method) => {
      switch (method) {
        case 'MailFolders':
          return jsonResponse([folder]);
        case 'Calendars':
          return jsonResponse(null);
        case 'SyncSettings':
          return jsonResponse({ historyDays: 90, historyStart: '2026-08-24T00:00:00Z' });
        case 'FirstSyncSummary':
          return jsonResponse(null);
        case 'Upcoming':
          return jsonResponse(null);
        default:
          return jsonResponse({ error: 'no' }, 500);
      }
    });
    await expect(api.MailFolders('a@x.com')).resolves.toEqual([folder]);
    await expect(api.Calendars('a@x.com')).resolves.toEqual([]);
    await expect(api.SyncSettings('a@x.com')).resolves.toEqual({ historyDays: 90, historySince: null, backfillFrom: null, historyStart: '2026-08-24T00:00:00Z' });
    await expect(api.FirstSyncSummary('a@x.com')).resolves.toBeNull();
    await expect(api.Upcoming(1, 10)).resolves.toEqual([]);
    expect(calls(m).map((c) => c[1])).toEqual([['a@x.com'], ['a@x.com'], ['a@x.com'], ['a@x.com'], [1, 10]]);
  });

  it('normalizes Status: stream states derived for an older backend, account fields filled', async () => {
    bridge(() =>
      jsonResponse({
        offline: true,
        accounts: [
          {
            upn: 'a@x.com',
            streams: [
              { kind: 'mail', name: 'Inbox', items: 1, total: 2, lastSync: '2026-11-22T10:00:00Z', error: '' },
              { kind: 'mail', name: 'Sent Items', error: 'Sync failed.' },
              { kind: 'calendar', name: 'Calendar' },
              { id: 9, kind: 'calendar', name: 'Other', state: 'syncing', action: '', lastAttempt: '2026-11-22T10:01:00Z' },
            ],
            firstSync: { account: 'a@x.com', messages: 3, meetings: 1, clients: 1, at: '2026-11-22T10:00:00Z' },
          },
        ],
      }),
    );
    const s = await api.Status();
    expect(s.offline).toBe(true);
    const a = s.accounts[0];
    expect(a).toMatchObject({ upn: 'a@x.com', displayName: '', offline: false, error: '', action: '', lastSync: null, backfill: null });
    expect(a.firstSync?.messages).toBe(3);
    expect(a.streams.map((x) => [x.state, x.action])).toEqual([
      ['ok', ''],
      ['error', 'none'],
      ['pending', ''],
      ['syncing', ''],
    ]);
    expect(a.streams[3]).toMatchObject({ id: 9, lastAttempt: '2026-11-22T10:01:00Z', items: 0, total: 0 });
  });

  it('subscribes to sync:first-complete over the bridge', () => {
    window.history.replaceState(null, '', '/?token=t');
    vi.stubGlobal('EventSource', FakeEventSource);
    const got: unknown[] = [];
    on('sync:first-complete', (d) => got.push(d));
    FakeEventSource.instances[0].emit('sync:first-complete', '{"account":"a@x.com","messages":3,"meetings":1,"clients":1,"at":"2026-11-22T10:00:00Z"}');
    expect(got).toEqual([{ account: 'a@x.com', messages: 3, meetings: 1, clients: 1, at: '2026-11-22T10:00:00Z' }]);
  });
});

describe('asSentence', () => {
  it('capitalises Go error strings for the screen', async () => {
    const { asSentence } = await import('./api');
    expect(asSentence('no client selected')).toBe('No client selected');
    expect(asSentence('  ')).toBe('');
    expect(asSentence('Already a sentence.')).toBe('Already a sentence.');
  });
});
