import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SourceClient } from '../../src/migrate/source-client.js';
import { MigrateError } from '../../src/migrate/types.js';
import { must } from '../../src/lib/must.js';

/** A real local HTTP server answering each request with the next scripted answer. */
let server: Server;
let base: string;
let script: { status: number; body: string; headers?: Record<string, string> }[] = [];
const seen: { method: string; url: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: must(req.method, 'req.method'), url: must(req.url, 'req.url'), auth: req.headers.authorization });
    const next = script.shift() ?? { status: 500, body: 'script ran out' };
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(waits: number[]) {
  return new SourceClient({ baseUrl: `${base}/`, auth: { header: 'authorization', value: 'GenieKey k' }, sleep: async (ms) => void waits.push(ms), maxTries: 3 });
}

describe('SourceClient', () => {
  test('GETs with the credential and query, and parses JSON', async () => {
    seen.length = 0;
    script = [{ status: 200, body: '{"data":[1]}' }];
    const r = await client([]).getJson<{ data: number[] }>('users', '/v2/users', { limit: 100, offset: 0, 'include[]': ['a', 'b'] });
    expect(r).toEqual({ data: [1] });
    expect(seen).toEqual([{ method: 'GET', url: '/v2/users?limit=100&offset=0&include%5B%5D=a&include%5B%5D=b', auth: 'GenieKey k' }]);
  });

  test('429 waits for Retry-After (seconds) and 5xx backs off, then succeeds', async () => {
    const waits: number[] = [];
    script = [
      { status: 429, body: '{"message":"slow down"}', headers: { 'retry-after': '7' } },
      { status: 503, body: '' },
      { status: 200, body: '[]' },
    ];
    expect(await client(waits).getJson('schedules', '/v2/schedules')).toEqual([]);
    expect(waits).toEqual([7000, 1000]);
  });

  test('gives up after maxTries, naming the resource and the status', async () => {
    script = [500, 500, 500].map((status) => ({ status, body: '{"message":"boom"}' }));
    await expect(client([]).getJson('escalations', '/v2/escalations')).rejects.toThrow(/^escalations: .* answered 500 \(boom\) after 3 tries$/);
  });

  test.each([
    [401, '{"message":"Could not authenticate"}', /users: .* refused the credentials \(401\) \(Could not authenticate\)/],
    [404, '{"message":"No such thing"}', /users: not found at \/v2\/users \(404\)/],
    [200, '{"data":[{"id":"u1"},{"id":', /users: the answer from \/v2\/users is not valid JSON/],
  ])('%i %s is a MigrateError that names the resource', async (status, body, message) => {
    script = [{ status, body }];
    const err = await client([])
      .getJson('users', '/v2/users')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as Error).message).toMatch(message);
  });

  test('a next-page URL given by the source is followed as is', async () => {
    seen.length = 0;
    script = [{ status: 200, body: '{}' }];
    await client([]).getJson('users', `${base}/v2/users?offset=100&limit=100`);
    expect(must(seen[0], 'seen[0]').url).toBe('/v2/users?offset=100&limit=100');
  });
});
