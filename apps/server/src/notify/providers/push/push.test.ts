import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allKinds, outgoing, samplePage, sampleVerification } from '../../../../test/fakes/messages.js';
import { FakePushService } from '../../../../test/fakes/push.js';
import { ProviderError } from '../../types.js';
import { generateVapidKeys, parseSubscription, PushProvider, PUSH_MAX_PAYLOAD_BYTES, renderPush } from './index.js';
import { must } from '../../../lib/must.js';

const push = new FakePushService();
const keys = generateVapidKeys();
const gone: string[] = [];
const provider = new PushProvider({ vapid: { ...keys, subject: 'mailto:oncall@example.com' }, publicUrl: () => 'https://klaxon.example.com', onGone: async (d) => void gone.push(d) });

beforeAll(() => push.start());
afterAll(() => push.close());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as ProviderError,
  );

describe('renderPush', () => {
  it('renders every kind within the Web Push size limit', () => {
    for (const m of allKinds) {
      const p = renderPush(m, 'https://klaxon.example.com/', 0);
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(PUSH_MAX_PAYLOAD_BYTES);
      expect(p.kind).toBe(m.kind);
      expect(p.url).toMatch(/^https:\/\/klaxon\.example\.com\//);
    }
    const huge = renderPush(samplePage({ title: 'x'.repeat(5000), details: 'y'.repeat(20000) }), 'https://k', 0);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeLessThanOrEqual(PUSH_MAX_PAYLOAD_BYTES);
    expect(huge.ackUrl).toBe(samplePage().ackUrl);
  });
});

describe('PushProvider', () => {
  it('delivers an encrypted, VAPID-signed page that decrypts to the rendered payload', async () => {
    const sub = push.newSubscription({ applicationServerKey: keys.publicKey });
    const r = await provider.send(outgoing('push', JSON.stringify(sub), samplePage()));
    expect(r.providerStatus).toBe('accepted');
    expect(r.providerMessageId).toMatch(/\/message\/m\d+$/);
    const d = await push.waitFor((x) => x.endpoint === sub.endpoint);
    expect(d.json).toEqual(JSON.parse(JSON.stringify(renderPush(samplePage(), 'https://klaxon.example.com', 0))));
    expect(d.vapid.claims.sub).toBe('mailto:oncall@example.com');
    expect(d.ttl).toBe(4 * 3600);
  });

  it('maps the push service answers: 404/410 gone (permanent, onGone), 413 permanent, 429/5xx temporary', async () => {
    const sub = JSON.stringify(push.newSubscription());
    for (const [status, permanent, providerStatus] of [
      [410, true, 'gone'],
      [404, true, 'gone'],
      [413, true, 'http_413'],
      [429, false, 'http_429'],
      [500, false, 'http_500'],
      [503, false, 'http_503'],
    ] as const) {
      push.failNext(status);
      const e = await failure(provider.send(outgoing('push', sub, sampleVerification)));
      expect(e, String(status)).toBeInstanceOf(ProviderError);
      expect({ permanent: must(e, 'e').permanent, providerStatus: must(e, 'e').providerStatus }, String(status)).toEqual({ permanent, providerStatus });
    }
    expect(gone).toEqual([sub, sub]);
  });

  it('refuses destinations that are not subscriptions, and treats an unreachable push service as temporary', async () => {
    const bad = await failure(provider.send(outgoing('push', 'not json', sampleVerification)));
    expect(bad).toMatchObject({ permanent: true, providerStatus: 'invalid_subscription' });
    expect(parseSubscription('{"endpoint":"ftp://x","keys":{"p256dh":"a","auth":"b"}}')).toBeNull();
    const s = push.newSubscription();
    const down = await failure(provider.send(outgoing('push', JSON.stringify({ ...s, endpoint: 'http://127.0.0.1:1/push/x' }), sampleVerification)));
    expect(down).toMatchObject({ permanent: false, providerStatus: 'network_error' });
    const badKeys = await failure(provider.send(outgoing('push', JSON.stringify({ ...s, keys: { p256dh: 'AAAA', auth: 'AAAA' } }), sampleVerification)));
    expect(badKeys).toMatchObject({ permanent: true });
  });
});
