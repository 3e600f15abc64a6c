import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const INDEX = '<!doctype html><html><head><title>Klaxon</title><script type="module" src="/assets/index-Ab3dE_9x.js"></script></head><body><div id="root"></div></body></html>';

describe.each(DIALECTS)('the web app at / with SPA fallback and cache headers (%s)', (dialect) => {
  let t: TestKlaxon;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-Ab3dE_9x.js'), 'console.log("app")');
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("push", () => {})');
    writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Klaxon"}');
    writeFileSync(join(dir, 'icon-192.png'), 'png');
    t = await startTestKlaxon(dialect, { webDir: dir });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`${t.url}${path}`, { method });
    return { status: res.status, type: res.headers.get('content-type') ?? '', cache: res.headers.get('cache-control'), text: await res.text() };
  };

  it('serves index.html at / and for any app route, never cached', async () => {
    for (const path of ['/', '/incidents/42', '/settings/profile?tab=push', '/index.html']) {
      const r = await get(path);
      expect(r, path).toMatchObject({ status: 200, cache: 'no-cache', text: INDEX });
      expect(r.type).toMatch(/^text\/html/);
    }
    expect((await get('/incidents/42', 'HEAD')).status).toBe(200);
  });

  it('caches hashed assets for a year, revalidates the service worker and manifest, an hour for the rest', async () => {
    expect(await get('/assets/index-Ab3dE_9x.js')).toMatchObject({ status: 200, cache: 'public, max-age=31536000, immutable' });
    expect(await get('/sw.js')).toMatchObject({ status: 200, cache: 'no-cache' });
    expect(await get('/manifest.webmanifest')).toMatchObject({ status: 200, cache: 'no-cache' });
    expect(await get('/icon-192.png')).toMatchObject({ status: 200, cache: 'public, max-age=3600' });
  });

  it('leaves server paths alone: unknown API, ingest, action, iCal and status paths are JSON 404s, not the app', async () => {
    for (const path of ['/api/v1/nope', '/api', '/v2/nope', '/integrations/x', '/actions', '/ical/x.ics', '/status/x', '/metrics/x', '/assets/missing-Zz9yX8wv.js']) {
      // (A missing file, like an asset of an old build, is a 404 too: HTML in place of a script helps nobody.)
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(JSON.parse(r.text).error.code, path).toBe('not_found');
    }
    const post = await fetch(`${t.url}/incidents/42`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect((await get('/healthz')).text).toBe('{"status":"ok"}');
    expect((await t.api('GET', '/api/v1/me')).status).toBe(200);
  });
});

describe('without a web build', () => {
  it('/ explains how to build the web app, and the API keeps working', async () => {
    const t = await startTestKlaxon('sqlite', { webDir: join(tmpdir(), 'klaxon-no-such-web-dir') });
    try {
      const root = await fetch(`${t.url}/`);
      expect(root.status).toBe(200);
      const html = await root.text();
      expect(html).toContain('the web app is not built');
      expect(html).toContain('npm run build -w apps/web');
      expect((await fetch(`${t.url}/incidents/1`)).status).toBe(404);
      expect((await t.api('GET', '/api/v1/me')).status).toBe(200);
      expect((await fetch(`${t.url}/api/v1/setup`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
