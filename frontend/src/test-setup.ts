// Vitest setup: tests build their own fakes of window.go, fetch and EventSource.
export {};
