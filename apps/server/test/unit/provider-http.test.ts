import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/notify/providers/http.js';
import { ProviderError } from '../../src/notify/types.js';
import { must } from '../../src/lib/must.js';

/** The providers' HTTP client against a real local server: answers, redirects, silence, refusal. */
describe('provider HTTP client', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: must(req.method, 'req.method'), url: must(req.url, 'req.url'), headers: req.headers, body });
        if (req.url === '/silent') return; // never answers
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: '/elsewhere' }).end();
          return;
        }
        res.writeHead(201, { 'Content-Type': 'application/json', Location: '/messages/7' }).end('{"sid":"SM1"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends method, headers and body, and reads status, headers and body', async () => {
    const res = await httpRequest('Test', `${base}/ok`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Key': 'k1' }, body: '{"a":1}' }, {});
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.header('Location')).toBe('/messages/7');
    expect(JSON.parse(await res.text())).toEqual({ sid: 'SM1' });
    const got = must(
      seen.find((s) => s.url === '/ok'),
      "seen entry where s.url === '/ok'",
    );
    expect(got).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(got.headers['x-key']).toBe('k1');
  });

  it('does not follow a redirect', async () => {
    const res = await httpRequest('Test', `${base}/redirect`, { method: 'POST', headers: {}, body: 'x' }, {});
    expect(res.status).toBe(302);
    expect(res.ok).toBe(false);
    await res.discard();
    expect(seen.some((s) => s.url === '/elsewhere')).toBe(false);
  });

  it('a receiver that never answers is a temporary timeout', async () => {
    const err = await httpRequest('Test', `${base}/silent`, { method: 'POST', headers: {}, body: 'x' }, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ permanent: false, providerStatus: 'timeout', message: 'Test: no answer within 150 ms' });
  });

  it('a refused connection is a temporary network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await httpRequest('Test', `http://127.0.0.1:${port}/`, { method: 'POST', headers: {}, body: 'x' }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ permanent: false, providerStatus: 'network_error' });
    expect((err as Error).message).toMatch(/^Test: .*ECONNREFUSED/);
  });
});
