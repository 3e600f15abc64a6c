import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// `npm run dev` proxies the API to a running `klaxon serve` (KLAXON_URL, default http://127.0.0.1:8080).
const target = process.env.KLAXON_URL ?? 'http://127.0.0.1:8080';

/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside every text file of the build over 1 KB, once at
 * build time at the highest levels, so `klaxon serve` sends them compressed without spending CPU per
 * request (@fastify/static's preCompressed picks the copy the browser accepts).
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'klaxon-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir.startsWith('/') ? c.build.outDir : join(c.root, c.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        const walk = (dir: string) => {
          for (const name of readdirSync(dir)) {
            const p = join(dir, name);
            if (statSync(p).isDirectory()) walk(p);
            else if (/\.(js|css|html|svg|webmanifest|json)$/.test(name) && statSync(p).size > 1024) {
              const body = readFileSync(p);
              writeFileSync(`${p}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
              writeFileSync(`${p}.gz`, gzipSync(body, { level: 9 }));
            }
          }
        };
        walk(outDir);
      },
    },
  };
}

/**
 * The modules the landing screen (the incident list) needs beyond what the entry loads: the static
 * imports reachable from pages/incidents.tsx, less those reachable from main.tsx. Found once the
 * module graph is complete (buildEnd), before chunks are made; the `incidents` chunk group takes them.
 */
function landingScreen(): Plugin & { modules: Set<string> } {
  const modules = new Set<string>();
  return {
    name: 'klaxon-landing-screen',
    apply: 'build',
    modules,
    buildEnd() {
      const closure = (from: string) => {
        const seen = new Set<string>();
        const todo = [from];
        for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
          if (seen.has(id)) continue;
          seen.add(id);
          todo.push(...(this.getModuleInfo(id)?.importedIds ?? []));
        }
        return seen;
      };
      const ids = [...this.getModuleIds()];
      const find = (suffix: string) => ids.find((id) => id.endsWith(suffix));
      const main = find('/src/main.tsx');
      const screen = find('/src/pages/incidents.tsx');
      if (!main || !screen) return;
      const initial = closure(main);
      modules.clear();
      for (const id of closure(screen)) if (!initial.has(id)) modules.add(id);
    },
  };
}

const landing = landingScreen();

export default defineConfig({
  plugins: [
    react(),
    landing,
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
    precompress(),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'app', tags: ['$initial'], priority: 3 },
            { name: 'incidents', test: (id) => landing.modules.has(id), priority: 2 },
          ],
        },
      },
    },
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
