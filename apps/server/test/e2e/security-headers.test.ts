import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { signLink } from '../../src/notify/links.js';
import { ensureWebBuilt } from '../browser/support.js';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';

/** Every answer carries these, whatever its status. */
function expectSecurityHeaders(where: string, h: Headers, https: boolean) {
  const csp = h.get('content-security-policy') ?? '';
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [must(name, 'the directive name'), values]),
  );
  expect(directives.get('frame-ancestors'), `${where}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.get('script-src'), `${where}: script-src`).toEqual(["'self'"]);
  expect(directives.get('default-src'), `${where}: default-src`).toEqual(["'self'"]);
  expect(directives.get('object-src'), `${where}: object-src`).toEqual(["'none'"]);
  expect(directives.get('base-uri'), `${where}: base-uri`).toEqual(["'none'"]);
  expect(csp, `${where}: no unsafe script source`).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|\*)/);
  expect(h.get('x-frame-options'), `${where}: x-frame-options`).toBe('DENY');
  expect(h.get('x-content-type-options'), `${where}: nosniff`).toBe('nosniff');
  expect(h.get('referrer-policy'), `${where}: referrer-policy`).toBe('no-referrer');
  if (https) expect(h.get('strict-transport-security'), `${where}: HSTS`).toMatch(/^max-age=31536000/);
  else expect(h.get('strict-transport-security'), `${where}: no HSTS over http`).toBeNull();
}

describe('security headers on every page and API answer', () => {
  let t: TestKlaxon;
  let incidentId: string;
  let userId: string;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestKlaxon('sqlite');
    await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'checkout-api', title: 'Checkout down', severity: 'critical' });
    incidentId = inc.body.incident.id;
    userId = (await t.api('GET', '/api/v1/users')).body.users[0].id;
    await t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: ['checkout-api'] });
    const sp = await t.api('PUT', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Status', isDefault: true, businessServiceIds: ['Checkout'] });
    expect(sp.status).toBe(200);
  }, 300_000);
  afterAll(async () => t?.stop());

  it('every route of the OpenAPI document, with and without a token', async () => {
    const doc = (await t.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
        const url = `${t.url}${path.replace(/\{[^}]+\}/g, 'nothing-here')}`;
        const withBody = method !== 'get' && method !== 'delete';
        for (const auth of [{}, { authorization: `Bearer ${t.adminToken}` }] as Record<string, string>[]) {
          // Reads as the admin; writes unauthenticated or with an empty body, so nothing changes.
          if (auth.authorization && method !== 'get') continue;
          const res = await fetch(url, { method: method.toUpperCase(), headers: { ...auth, ...(withBody && { 'content-type': 'application/json' }) }, body: withBody ? '{}' : undefined });
          await res.arrayBuffer();
          expect(res.status, `${method} ${path}`).toBeLessThan(500);
          expectSecurityHeaders(`${method.toUpperCase()} ${path} -> ${res.status}`, res.headers, false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the web app pages, its service worker and assets, the public status page and its JSON, /actions links, errors', async () => {
    const index = await (await fetch(`${t.url}/`)).text();
    const assets = [...index.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => must(m[1], 'the captured group'));
    expect(assets.some((a) => a.startsWith('/assets/'))).toBe(true);
    expect(index).not.toMatch(/<script>(?!<\/script>)/); // no inline script: the CSP would block it
    const token = signLink(t.k.ctx.linkSecret, { incidentId, userId, action: 'ack', channel: 'email' }, t.clock.now());
    const paths = [
      '/',
      '/incidents',
      '/sign-in',
      '/schedules/abc',
      '/sw.js',
      '/manifest.webmanifest',
      '/color-scheme.js',
      ...assets,
      '/status',
      '/status/acme',
      '/status/api/v2/summary.json',
      '/status/feed.rss',
      '/status/nope',
      `/actions/${token}`,
      '/actions/forged.token',
      '/healthz',
      '/readyz',
      '/metrics',
      '/api/v1/openapi.json',
      '/api/v1/no-such-route',
      '/no-such-file.png',
    ];
    for (const path of paths) {
      const res = await fetch(`${t.url}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).toBeLessThan(500);
      expectSecurityHeaders(`GET ${path} -> ${res.status}`, res.headers, false);
    }
    // The one-tap acknowledge page itself, and its POST.
    const page = await fetch(`${t.url}/actions/${token}`);
    expect(await page.text()).toContain('Acknowledge incident #1');
    const post = await fetch(`${t.url}/actions/${token}`, { method: 'POST' });
    expect(post.status).toBe(200);
    expectSecurityHeaders('POST /actions', post.headers, false);
  });

  it('HSTS is sent when the public URL is https', async () => {
    const s = await startTestKlaxon('sqlite', { publicUrl: 'https://klaxon.example.com' });
    try {
      for (const path of ['/', '/api/v1/incidents', '/status', '/actions/forged.token', '/healthz']) {
        const res = await fetch(`${s.url}${path}`);
        await res.arrayBuffer();
        expectSecurityHeaders(`GET ${path}`, res.headers, true);
      }
    } finally {
      await s.stop();
    }
  });
});
