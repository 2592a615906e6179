import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MSG_BAD_TOKEN, MSG_UNREACHABLE, TOKEN_HEADER, TOKEN_KEY, _resetForTests, api, bridgeToken, inWails, isHttpsURL, on } from './api';

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
    await expect(api.Status()).resolves.toEqual({ accounts: [], syncing: false, demo: true, lastSync: null });
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
