/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Relative base: the same build is served by Wails' asset server and by the
// loopback bridge of `rapport serve`, both at "/".
const bridge = process.env.RAPPORT_BRIDGE || 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  plugins: [svelte(), svelteTesting()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs into scripts; keep everything as files
    // under the 'self' origin so the Content-Security-Policy stays strict.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running `rapport serve --addr 127.0.0.1:8080`:
    // the bridge's API and events are proxied, the page comes from Vite.
    // The bridge only answers requests addressed to itself (Host and Origin
    // must name its own loopback address), so the proxy presents them so.
    proxy: {
      '/api': {
        target: bridge,
        changeOrigin: true,
        configure(proxy) {
          proxy.on('proxyReq', (req) => {
            if (req.getHeader('origin')) req.setHeader('origin', new URL(bridge).origin);
          });
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    restoreMocks: true,
  },
});
