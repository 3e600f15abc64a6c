/**
 * The web app's static files (apps/web/dist, or KLAXON_WEB_DIR) at /. Paths that are not files and
 * not server routes fall back to index.html (the SPA routes them). Hashed build assets are cached for
 * a year; index.html, the service worker and the manifest are revalidated on every load, so a new
 * release reaches browsers at once. Without a build, / explains how to make one; the API is unaffected.
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './deps.js';

/** Path prefixes that belong to the server: never answered with the web app. */
export const SERVER_PREFIXES: readonly string[] = ['/api', '/v2', '/integrations', '/actions', '/healthz', '/readyz', '/metrics', '/ical', '/status'];

/** apps/web/dist, found from this file (src/http/static.ts in the server package). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const NO_CACHE = /^(index\.html|sw\.js|service-worker\.js|registerSW\.js|workbox-[^/]*\.js|manifest\.webmanifest|manifest\.json)$/;

/**
 * The Cache-Control value for a file of the web app, by its path relative to the build directory.
 * Vite writes content-hashed names (index-Ab3dE_9x.js) under assets/ only; files copied from public/
 * (icons, the manifest) keep their names, so they get an hour.
 */
export function cacheControlFor(relativePath: string): string {
  const parts = relativePath.split(/[\\/]/);
  if (NO_CACHE.test(parts[parts.length - 1] ?? '')) return 'no-cache';
  if (parts.length > 1 && parts[0] === 'assets') return 'public, max-age=31536000, immutable';
  return 'public, max-age=3600';
}

/** True for paths the SPA may own: not under a server prefix, and not a missing file (a name with an extension). */
export function isWebAppPath(url: string): boolean {
  const path = url.split('?')[0] ?? '/';
  if (SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return false;
  return !/\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '');
}

const notBuiltPage = (dir: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Klaxon</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code,pre{background:#8882;padding:.1rem .3rem;border-radius:.2rem}</style></head>
<body><h1>Klaxon is running, but the web app is not built</h1>
<p>No web app was found in <code>${dir.replace(/[&<>"]/g, '')}</code>. Build it from the repository root:</p>
<pre>npm install
npm run build -w apps/web</pre>
<p>then restart <code>klaxon serve</code>, or set <code>KLAXON_WEB_DIR</code> to a directory holding a build.
The API keeps working meanwhile: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>`;

/** The web app: `register` adds the file routes, `fallback` answers unmatched GETs (from the not-found handler). */
export interface WebApp {
  /** The directory served. */
  readonly dir: string;
  /** True when the directory holds a build (an index.html). */
  readonly built: boolean;
  /** Registers the static file routes (nothing when not built). Call at the root, after the API routes. */
  register(app: App): Promise<void>;
  /** Answers a GET/HEAD for a web-app path with index.html (or the not-built page); false when not for us. */
  fallback(req: FastifyRequest, reply: FastifyReply): boolean;
}

/** The web app served from `dir` (default apps/web/dist). */
export function webApp(dir: string = DEFAULT_WEB_DIR): WebApp {
  const root = resolve(dir);
  const built = existsSync(resolve(root, 'index.html')) && statSync(root).isDirectory();
  return {
    dir: root,
    built,
    async register(app) {
      if (!built) return;
      await app.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: true,
        index: 'index.html',
        cacheControl: false,
        dotfiles: 'ignore',
        // The build writes .br and .gz beside every text file (apps/web/vite.config.ts): sent as the
        // browser accepts, with no compression work per request.
        preCompressed: true,
        setHeaders: (reply, filePath) => {
          void reply.header('cache-control', cacheControlFor(relative(root, filePath)));
        },
      });
    },
    fallback(req, reply) {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !isWebAppPath(req.url)) return false;
      if (!built) {
        const path = req.url.split('?')[0];
        void reply
          .status(path === '/' ? 200 : 404)
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(notBuiltPage(root));
        return true;
      }
      void reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
      return true;
    },
  };
}
