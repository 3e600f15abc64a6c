/**
 * Answers are compressed (issue 20): the web app's files are sent as the Brotli or gzip copies written
 * at build time, API answers over 1 KB are compressed as the client accepts, and ingest answers are
 * left alone. Measured on the cold load of the incident list by bench/web-load.ts.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../browser/support.js';
import { capture, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe('compressed answers', () => {
  let t: TestKlaxon;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestKlaxon('sqlite');
  });
  afterAll(async () => t?.stop());

  const get = async (path: string, encoding: string, headers: Record<string, string> = {}) => {
    const r = await request(`${t.url}${path}`, { headers: { 'accept-encoding': encoding, ...headers } });
    const body = Buffer.from(await r.body.arrayBuffer());
    return { status: r.statusCode, encoding: r.headers['content-encoding'], type: String(r.headers['content-type']), body };
  };

  it('sends the web app’s files precompressed, as the browser accepts', async () => {
    const plain = await get('/incidents', 'identity');
    expect(plain.encoding).toBeUndefined();
    const html = plain.body.toString();
    const script = capture(/<script[^>]+src="(\/assets\/[^"]+\.js)"/, html);
    const raw = await get(script, 'identity');
    const br = await get(script, 'gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body).equals(raw.body)).toBe(true);
    expect(br.body.length).toBeLessThan(raw.body.length / 2);
    const gz = await get(script, 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).equals(raw.body)).toBe(true);
  });

  it('compresses API answers over 1 KB, and never ingest answers', async () => {
    const svc = await t.api('POST', '/api/v1/services', { name: 'svc' });
    expect(svc.status).toBe(201);
    for (let i = 0; i < 30; i++) expect((await t.api('POST', '/api/v1/incidents', { service: 'svc', title: `Disk almost full on db-${i}` })).status).toBe(201);
    const auth = { authorization: `Bearer ${t.adminToken}` };
    const plain = await get('/api/v1/incidents?limit=30', 'identity', auth);
    expect(plain.body.length).toBeGreaterThan(1024);
    const br = await get('/api/v1/incidents?limit=30', 'br', auth);
    expect(br.encoding).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    // The OpenAPI document (the web app reads it on load) too.
    expect((await get('/api/v1/openapi.json', 'br')).encoding).toBe('br');
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key as string;
    const ingest = await request(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'br, gzip' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary: 'x'.repeat(2000), source: 's', severity: 'critical' } }),
    });
    expect(ingest.statusCode).toBe(202);
    expect(ingest.headers['content-encoding']).toBeUndefined();
    await ingest.body.text();
  });
});
