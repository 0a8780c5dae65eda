import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web page is built into web/dist and served by the Tessera server on the same origin as
 * the API. Everything it needs (fonts, the MapLibre worker) is bundled: field offices are
 * offline, so nothing may be fetched from another host.
 */
export default defineConfig({
  // The web/ folder, wherever the build is started from.
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is about 1 MB; the page is one map application, not a site to split.
    chunkSizeWarningLimit: 1600,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
    },
  },
});
