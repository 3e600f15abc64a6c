import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { EgressPolicy } from '../../lib/egress.js';
import type { Message } from '../../notify/types.js';
import { normalizeAddress } from '../../user/service.js';
import { GoogleChatWebhooks, isGoogleChatWebhook } from './client.js';
import { googleChatPlatform, parseGoogleChatEvent } from './platform.js';
import { renderGoogleChat } from './render.js';
import { GoogleChatTokens, GOOGLECHAT_ISSUER } from './token.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const AUD = '1234567890';

const samplePage = (): Message => ({
  kind: 'page',
  incidentId: 'inc-1',
  incidentNumber: 42,
  title: 'Checkout down',
  serviceName: 'web',
  severity: 'critical',
  status: 'triggered',
  details: 'HTTP 500',
  alertCount: 1,
  createdAt: NOW,
  incidentUrl: 'https://klaxon.example.com/incidents/42',
  ackUrl: 'https://klaxon.example.com/a',
  resolveUrl: 'https://klaxon.example.com/r',
});

describe('Google Chat bearer tokens', () => {
  let key: CryptoKey;
  let other: CryptoKey;
  let tokens: GoogleChatTokens;
  const sign = (k: CryptoKey, claims: Record<string, unknown>, kid = 'k1') => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(k);
  const iat = Math.floor(NOW / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    other = (await generateKeyPair('RS256')).privateKey;
    tokens = new GoogleChatTokens(AUD, createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] }));
  });

  it('accepts Google-signed tokens for this app only, at the injected time', async () => {
    const good = { iss: GOOGLECHAT_ISSUER, aud: AUD, iat, exp: iat + 3600 };
    expect(await tokens.verify(`Bearer ${await sign(key, good)}`, NOW)).toBe(true);
    expect(await tokens.verify(`Bearer ${await sign(key, good)}`, NOW + 3601_000)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(other, good)}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { ...good, aud: '999' })}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { ...good, iss: 'x@example.com' })}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { iss: GOOGLECHAT_ISSUER, aud: AUD, iat })}`, NOW)).toBe(false);
    expect(await tokens.verify(await sign(key, good), NOW)).toBe(false);
    expect(await tokens.verify(undefined, NOW)).toBe(false);
  });

  it('property: any header that is not a valid token is refused without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (h) => {
        expect(await tokens.verify(h, NOW)).toBe(false);
        expect(await tokens.verify(`Bearer ${h}`, NOW)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Google Chat events, renderer and addresses', () => {
  it('parses card clicks (both parameter shapes) and mentions', () => {
    const user = { name: 'users/123' };
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, space: { name: 'spaces/A' }, common: { invokedFunction: 'klaxon_resolve', parameters: { incident: 'inc-1' } } })).toEqual({
      kind: 'action',
      userId: 'users/123',
      incident: 'inc-1',
      action: 'resolve',
      channelId: 'spaces/A',
    });
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, action: { actionMethodName: 'klaxon_ack', parameters: [{ key: 'incident', value: 'inc-2' }] } })).toMatchObject({
      kind: 'action',
      action: 'ack',
      incident: 'inc-2',
    });
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, common: { invokedFunction: 'toString', parameters: { incident: 'x' } } }).kind).toBe('reply');
    expect(parseGoogleChatEvent({ type: 'MESSAGE', user, space: { name: 'spaces/A' }, message: { text: '@Klaxon ack 42', argumentText: ' ack 42' } })).toEqual({
      kind: 'command',
      channelId: 'spaces/A',
      userId: 'users/123',
      text: 'ack 42',
    });
    expect(parseGoogleChatEvent({ type: 'MESSAGE', user, message: { text: '@Klaxon resolve 7' } })).toMatchObject({ kind: 'command', text: 'resolve 7' });
  });

  it('property: any JSON body with a valid token is answered without throwing; a missing token is refused', async () => {
    const platform = googleChatPlatform(new GoogleChatWebhooks({ webhookBaseUrl: 'https://chat.googleapis.com', egress: new EgressPolicy() }), {
      verify: async (h: unknown) => h === 'Bearer ok',
    } as unknown as GoogleChatTokens);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({ type: fc.constantFrom('CARD_CLICKED', 'MESSAGE', 'ADDED_TO_SPACE'), user: fc.anything(), common: fc.anything(), action: fc.anything(), message: fc.anything() })
            .map((x) => JSON.stringify(x)),
        ),
        async (body) => {
          const r = await platform.inbound('events', { headers: { authorization: 'Bearer ok' }, rawBody: body, contentType: 'application/json', now: NOW });
          expect(['reply', 'action', 'command', 'ignore']).toContain(r.kind);
          expect((await platform.inbound('events', { headers: {}, rawBody: body, contentType: 'application/json', now: NOW })).kind).toBe('refuse');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: rendered text stays within 4096 characters and never mentions anyone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), (s) => {
        for (const m of [
          { kind: 'reply', text: s },
          { ...samplePage(), title: s, details: s, serviceName: s },
        ] as Message[]) {
          const r = renderGoogleChat(m);
          expect(r.text.length).toBeLessThanOrEqual(4096);
          expect(r.text).not.toMatch(/<(users|https?:)/);
        }
      }),
    );
  });

  it('property: addresses are users/<id> or a webhook URL; the provider posts only to the configured origin', () => {
    expect(normalizeAddress('googlechat', 'users/123')).toEqual({ value: 'users/123' });
    expect(normalizeAddress('googlechat', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t')).toEqual({ value: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t' });
    expect(normalizeAddress('googlechat', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k')).toHaveProperty('error');
    expect(isGoogleChatWebhook('https://chat.googleapis.com', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t')).toBe(true);
    expect(isGoogleChatWebhook('https://chat.googleapis.com', 'https://evil.example/v1/spaces/AAAA/messages?key=k&token=t')).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = normalizeAddress('googlechat', s);
        if ('value' in r) expect(/^users\/\d+$/.test(r.value) || new URL(r.value).pathname.startsWith('/v1/spaces/')).toBe(true);
      }),
    );
  });

  it('the provider refuses, permanently and without a request, a webhook on another origin and a users/<id> destination', async () => {
    const p = new GoogleChatWebhooks({ webhookBaseUrl: 'http://127.0.0.1:1', egress: new EgressPolicy() });
    const send = (destination: string) => p.send({ destination, message: { kind: 'reply', text: 'hi' } } as Parameters<GoogleChatWebhooks['send']>[0]);
    await expect(send('https://evil.example/v1/spaces/AAAA/messages?key=k&token=t')).rejects.toMatchObject({ permanent: true, providerStatus: 'bad_destination' });
    await expect(send('users/123')).rejects.toMatchObject({ permanent: true, providerStatus: 'not_a_space' });
  });
});
