import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEgressUrl, EgressPolicy, parseEgressAllow, requireEgressUrlResolved, type Resolver } from '../../src/lib/egress.js';
import { httpRequest } from '../../src/notify/providers/http.js';
import { ProviderError } from '../../src/notify/types.js';

const strict = new EgressPolicy();

function refused(url: string, policy = strict): string | null {
  const r = checkEgressUrl(policy, url);
  return r.ok ? null : r.reason;
}

describe('egress policy: URLs checked when they are stored', () => {
  it('allows public http(s) URLs and names', () => {
    for (const u of ['https://hooks.example.com/x?y=1', 'http://93.184.216.34/', 'https://[2606:4700::1111]/hook', 'https://example.com:8443/a']) expect(refused(u), u).toBeNull();
  });

  it('refuses other schemes, credentials and garbage', () => {
    expect(refused('file:///etc/passwd')).toMatch(/http\(s\)/);
    expect(refused('gopher://example.com/')).toMatch(/http\(s\)/);
    expect(refused('ftp://example.com/')).toMatch(/http\(s\)/);
    expect(refused('https://user:pw@example.com/')).toMatch(/user name or password/);
    expect(refused('not a url')).toMatch(/absolute URL/);
  });

  it('refuses loopback, link-local, private, metadata and other special addresses in every numeric form', () => {
    const bad = [
      'http://127.0.0.1/',
      'http://127.1.2.3:8080/',
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f000001/',
      'http://0x7f.1/',
      'http://017700000001/', // octal
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://10.0.0.5/',
      'http://172.16.3.4/',
      'http://192.168.1.1/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/', // Alibaba metadata (carrier-grade NAT range)
      'http://0.0.0.0/',
      'http://[::]/',
      'http://224.0.0.1/',
      'http://localhost:8080/',
      'http://LOCALHOST./',
      'http://foo.localhost/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ];
    for (const u of bad) expect(refused(u), u).not.toBeNull();
    expect(refused('http://2130706433/')).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(refused('http://169.254.169.254/')).toMatch(/link-local/);
  });

  it('the allow-list opens ranges and names an admin means, and nothing else', () => {
    const p = new EgressPolicy(parseEgressAllow('10.20.0.0/16, hooks.corp.example *.svc.corp.example 127.0.0.1'));
    expect(refused('http://10.20.3.4/', p)).toBeNull();
    expect(refused('http://10.21.3.4/', p)).not.toBeNull();
    expect(refused('http://127.0.0.1:9/', p)).toBeNull();
    expect(refused('http://2130706433:9/', p)).toBeNull();
    expect(refused('http://127.0.0.2/', p)).not.toBeNull();
    expect(p.hostAllowed('hooks.corp.example')).toBe(true);
    expect(p.hostAllowed('a.svc.corp.example')).toBe(true);
    expect(p.hostAllowed('svc.corp.example')).toBe(false);
    expect(p.hostAllowed('evilhooks.corp.example')).toBe(false);
    expect(() => parseEgressAllow('10.0.0.0/99')).toThrow(/KLAXON_EGRESS_ALLOW: "10.0.0.0\/99"/);
    expect(() => parseEgressAllow('http://x/')).toThrow(/not a CIDR/);
    expect(() => parseEgressAllow('bad_host!')).toThrow(/neither/);
  });

  it('property: every IPv4 address written as one decimal number is classified like its dotted form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const dotted = [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
        expect(refused(`http://${n}/`) === null).toBe(refused(`http://${dotted}/`) === null);
        expect(refused(`http://[::ffff:${dotted}]/`) === null).toBe(refused(`http://${dotted}/`) === null);
      }),
      { numRuns: 500 },
    );
  });

  it('property: every address in 127/8, 10/8, 169.254/16 and 192.168/16 is refused', () => {
    fc.assert(
      fc.property(fc.constantFrom([127], [10], [169, 254], [192, 168]), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (prefix, rest) => {
        const ip = [...prefix, ...rest].slice(0, 4).join('.');
        expect(refused(`http://${ip}/`)).not.toBeNull();
      }),
    );
  });
});

describe('egress policy: every connection checked on the resolved address', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.headers.host} ${req.url}`);
      res.writeHead(req.url === '/redirect' ? 302 : 200, { location: 'http://127.0.0.1:1/elsewhere' }).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const toLoopback: Resolver = (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
  /** A rebinding DNS answer: a public address and loopback; every address is checked, so it is refused. */
  const mixed: Resolver = (_h, _o, cb) =>
    cb(null, [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);

  function chain(e: unknown): string {
    const parts: string[] = [];
    for (let x = e as { message?: string; code?: string; cause?: unknown } | undefined; x; x = x.cause as typeof x) parts.push(`${x.code ?? ''} ${x.message ?? ''}`);
    return parts.join(' | ');
  }

  it('a name that resolves to loopback passes the URL check but its connection is refused; the recorder receives nothing', async () => {
    for (const resolver of [toLoopback, mixed]) {
      const p = new EgressPolicy(undefined, { resolver });
      const url = `http://hooks.rebind.example:${port}/hook`;
      expect(checkEgressUrl(p, url).ok).toBe(true);
      const err = await p.request(url, { method: 'POST', body: 'x' }).catch((e: unknown) => e);
      expect(chain(err)).toMatch(/EGRESS_REFUSED.*hooks\.rebind\.example resolves to 127\.0\.0\.1 is a loopback address/);
      await p.close();
    }
    expect(hits).toHaveLength(0);
  });

  it('an IP literal is refused before connecting; numeric forms too', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1']) {
      await expect(strict.request(`http://${host}:${port}/x`, { method: 'GET' })).rejects.toThrow(/egress refused/);
    }
    expect(hits).toHaveLength(0);
  });

  it("the providers' client turns a refusal into a permanent failure", async () => {
    const p = new EgressPolicy(undefined, { resolver: toLoopback });
    const err = await httpRequest('Webhook', `http://hooks.example.test:${port}/x`, { method: 'POST', headers: {} }, { egress: p }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ permanent: true, providerStatus: 'egress_refused' });
    expect((err as Error).message).toMatch(/127\.0\.0\.1 is a loopback address/);
    const lit = await httpRequest('Webhook', `http://2130706433:${port}/x`, { method: 'POST', headers: {} }, { egress: p }).catch((e: unknown) => e);
    expect(lit).toMatchObject({ permanent: true, providerStatus: 'egress_refused' });
    expect(hits).toHaveLength(0);
    await p.close();
  });

  it('the allow-list lets a name or range through, and redirects are not followed', async () => {
    const byName = new EgressPolicy(parseEgressAllow('hooks.example.test'), { resolver: toLoopback });
    const r1 = await byName.request(`http://hooks.example.test:${port}/named`, { method: 'GET' });
    expect(r1.statusCode).toBe(200);
    await r1.body.dump();
    const byRange = new EgressPolicy(parseEgressAllow('127.0.0.0/8'));
    const r2 = await byRange.request(`http://127.0.0.1:${port}/redirect`, { method: 'GET' });
    expect(r2.statusCode).toBe(302);
    await r2.body.dump();
    expect(hits).toEqual([`hooks.example.test:${port} /named`, `127.0.0.1:${port} /redirect`]);
    await Promise.all([byName.close(), byRange.close()]);
  });
});

describe('egress policy: host names resolved when a URL is stored', () => {
  const answers: Record<string, string[]> = { 'hooks.corp.example': ['10.0.0.5'], 'mixed.example': ['93.184.216.34', '127.0.0.1'], 'public.example': ['93.184.216.34', '2606:4700::1111'] };
  const resolver: Resolver = (host, _o, cb) => {
    const list = answers[host];
    if (!list) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(
      null,
      list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  const policy = new EgressPolicy(parseEgressAllow(''), { resolver });

  it('refuses with a 400 a name any of whose addresses is internal, saying which', async () => {
    await expect(requireEgressUrlResolved(policy, 'https://hooks.corp.example/x', 'address')).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^address: hooks\.corp\.example resolves to 10\.0\.0\.5 is a private address/),
    });
    await expect(requireEgressUrlResolved(policy, 'https://mixed.example/x', 'url')).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^url: mixed\.example resolves to 127\.0\.0\.1 is a loopback address/),
    });
  });

  it('accepts a public name, a name that does not resolve yet, and an allow-listed name', async () => {
    expect(await requireEgressUrlResolved(policy, 'https://public.example/x', 'address')).toBe('https://public.example/x');
    expect(await requireEgressUrlResolved(policy, 'https://not-yet.example/x', 'address')).toBe('https://not-yet.example/x');
    const allowing = new EgressPolicy(parseEgressAllow('hooks.corp.example'), { resolver });
    expect(await requireEgressUrlResolved(allowing, 'https://hooks.corp.example/x', 'address')).toBe('https://hooks.corp.example/x');
  });

  it('still refuses what the URL alone shows, before asking DNS', async () => {
    let asked = 0;
    const counting = new EgressPolicy(parseEgressAllow(''), { resolver: (h, o, cb) => (asked++, resolver(h, o, cb)) });
    await expect(requireEgressUrlResolved(counting, 'http://2130706433/', 'address')).rejects.toMatchObject({ code: 'invalid' });
    await expect(requireEgressUrlResolved(counting, 'file:///etc/passwd', 'address')).rejects.toMatchObject({ code: 'invalid' });
    expect(asked).toBe(0);
  });
});
