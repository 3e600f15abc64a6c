import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// `npm run dev` proxies the API to a running `klaxon serve` (KLAXON_URL, default http://127.0.0.1:8080).
const target = process.env.KLAXON_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        name: 'Klaxon',
        short_name: 'Klaxon',
        description: 'Incidents, paging and on-call',
        start_url: '/incidents',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#1a1b1e',
        theme_color: '#1a1b1e',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'] },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target, ws: true, changeOrigin: false },
      '/v2': target,
      '/integrations': target,
    },
  },
  preview: {
    proxy: {
      '/api': { target, ws: true },
      '/v2': target,
      '/integrations': target,
    },
  },
});
