import fc from 'fast-check';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../lib/clock.js';
import { outgoing, samplePage, sampleVerification } from '../../../../test/fakes/messages.js';
import { closeServer, listenLocal, readBody } from '../../../../test/fakes/util.js';
import { ProviderError } from '../../types.js';
import { signWebhook, verifyWebhookSignature, WebhookProvider } from './index.js';

const SECRET = 'whsec_test_secret';

/** A tiny receiver that records requests and answers the queued status codes (default 200). */
let server: Server;
let baseUrl: string;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const statuses: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((b) => {
      received.push({ path: req.url ?? '', headers: req.headers, body: b.toString('utf8') });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { Location: `${baseUrl}/elsewhere` } : {});
      res.end('ok');
    });
  });
  baseUrl = await listenLocal(server);
});
afterAll(() => closeServer(server));
beforeEach(() => {
  received.length = 0;
  statuses.length = 0;
});

describe('WebhookProvider', () => {
  const clock = new FakeClock('2026-01-05T09:00:00Z');
  const provider = new WebhookProvider({ secret: SECRET, clock });

  it('POSTs the rendered JSON with delivery id and a verifiable signature', async () => {
    const msg = outgoing('webhook', `${baseUrl}/hooks/klaxon`, samplePage(), 'msg-42');
    const result = await provider.send(msg);
    expect(result).toEqual({ providerMessageId: null, providerStatus: 'delivered' });
    const req = received[0];
    expect(req?.path).toBe('/hooks/klaxon');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('Klaxon');
    expect(req?.headers['x-klaxon-delivery']).toBe('msg-42');
    const sig = String(req?.headers['x-klaxon-signature']);
    expect(sig).toMatch(/^t=1767603600,v1=[0-9a-f]{64}$/);
    const body = req?.body ?? '';
    expect(JSON.parse(body)).toMatchObject({ event: 'incident.page', deliveryId: 'msg-42', incident: { number: 42, service: 'checkout-api' } });
    expect(verifyWebhookSignature(sig, body, SECRET, clock.now())).toBe(true);
    // A tampered body, another secret or a stale timestamp fail.
    expect(verifyWebhookSignature(sig, body.replace('checkout-api', 'checkout-apx'), SECRET, clock.now())).toBe(false);
    expect(verifyWebhookSignature(sig, body, 'other', clock.now())).toBe(false);
    expect(verifyWebhookSignature(sig, body, SECRET, clock.now() + 301_000)).toBe(false);
  });

  it('maps 500/429/408 to temporary and 400/404/410 and redirects to permanent errors', async () => {
    const cases: [number, boolean][] = [
      [500, false],
      [503, false],
      [429, false],
      [408, false],
      [400, true],
      [404, true],
      [410, true],
      [302, true],
    ];
    for (const [status, permanent] of cases) {
      statuses.push(status);
      const err = await provider.send(outgoing('webhook', `${baseUrl}/h`, sampleVerification)).catch((e: unknown) => e);
      expect(err, `HTTP ${status}`).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).permanent, `HTTP ${status}`).toBe(permanent);
      expect((err as ProviderError).providerStatus).toBe(`http_${status}`);
    }
    expect(received.some((r) => r.path === '/elsewhere')).toBe(false); // the redirect was not followed
  });

  it('treats connection failures as temporary and bad URLs as permanent', async () => {
    const closed = createServer();
    const url = await listenLocal(closed);
    await closeServer(closed);
    const err = await provider.send(outgoing('webhook', `${url}/h`, sampleVerification)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).permanent).toBe(false);
    for (const dest of ['not a url', 'ftp://example.com/x']) {
      const e = await provider.send(outgoing('webhook', dest, sampleVerification)).catch((x: unknown) => x);
      expect((e as ProviderError).permanent).toBe(true);
    }
  });
});

describe('signWebhook / verifyWebhookSignature', () => {
  it('produces t=<seconds>,v1=<hex> and accepts any of several v1 values (secret rotation)', () => {
    const now = Date.parse('2026-01-05T09:00:00Z');
    const header = signWebhook('{"a":1}', SECRET, now);
    expect(header).toMatch(/^t=1767603600,v1=[0-9a-f]{64}$/);
    const v1Old = signWebhook('{"a":1}', 'old-secret', now).split(',')[1];
    expect(verifyWebhookSignature(`${header},${v1Old}`, '{"a":1}', 'old-secret', now)).toBe(true);
    expect(verifyWebhookSignature(`${header},${v1Old}`, '{"a":1}', SECRET, now)).toBe(true);
    expect(verifyWebhookSignature('v1=abc', '{"a":1}', SECRET, now)).toBe(false);
    expect(verifyWebhookSignature(undefined, '{"a":1}', SECRET, now)).toBe(false);
    expect(verifyWebhookSignature(header, '{"a":1}', SECRET, now + 299_000)).toBe(true);
    expect(verifyWebhookSignature(header, '{"a":1}', SECRET, now + 301_000)).toBe(false);
    expect(verifyWebhookSignature(header, '{"a":1}', SECRET, now + 301_000, 600)).toBe(true);
  });

  it('property: verify(sign(x)) holds and any single-byte change of the body breaks it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, secret, nowMs, pos, delta) => {
          const header = signWebhook(body, secret, nowMs);
          expect(verifyWebhookSignature(header, body, secret, nowMs)).toBe(true);
          const tampered = Uint8Array.from(body);
          const i = pos % tampered.length;
          tampered[i] = ((tampered[i] ?? 0) + delta) & 0xff;
          expect(verifyWebhookSignature(header, tampered, secret, nowMs)).toBe(false);
        },
      ),
    );
  });

  it('property: a single changed character of the signature header breaks it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), (body, pos) => {
        const now = 1_767_603_600_000;
        const header = signWebhook(body, SECRET, now);
        const start = header.indexOf('v1=') + 3;
        const i = start + (pos % (header.length - start));
        const changed = header.slice(0, i) + (header[i] === 'a' ? 'b' : 'a') + header.slice(i + 1);
        expect(verifyWebhookSignature(changed, body, SECRET, now)).toBe(false);
      }),
    );
  });
});
