import { vi } from 'vitest';

/**
 * A stand-in for lib/api's `api` and `on` in component tests: a vi.fn()
 * per backend method named, and emit() to play a backend event to the
 * listeners the component registered with on(). Made in vi.hoisted (so
 * vi.mock's factory can use it) and cleared with handlers.clear().
 */
export function backendMock<M extends string>(methods: readonly M[]) {
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  const api = Object.fromEntries(methods.map((m) => [m, vi.fn()])) as Record<M, ReturnType<typeof vi.fn>>;
  return {
    handlers,
    api,
    emit(name: string, d: unknown) {
      handlers.get(name)?.forEach((cb) => cb(d));
    },
    on(name: string, cb: (d: unknown) => void) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)!.add(cb);
      return () => handlers.get(name)!.delete(cb);
    },
  };
}
