import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import { EgressPolicy } from '../../lib/egress.js';
import type { Message } from '../../notify/types.js';
import { DiscordClient, snowflakeAt } from './client.js';
import { discordPlatform } from './platform.js';
import { escapeDiscord, renderDiscord } from './render.js';
import { discordPublicKey, verifyDiscordRequest } from './signature.js';
import { must } from '../../lib/must.js';

const keys = generateKeyPairSync('ed25519');
const hex = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const key = must(discordPublicKey(hex), 'the public key');
const NOW = 1_772_442_000_000;
const signed = (body: string, ts = Math.floor(NOW / 1000), priv = keys.privateKey) => ({
  'x-signature-timestamp': String(ts),
  'x-signature-ed25519': sign(null, Buffer.from(String(ts) + body), priv).toString('hex'),
});

describe('Discord signatures', () => {
  it('accepts a signed request; refuses another key, a stale or future timestamp, missing headers, a bad key', () => {
    const body = '{"type":1}';
    expect(verifyDiscordRequest(key, signed(body), body, NOW)).toBe(true);
    expect(verifyDiscordRequest(key, signed(body, undefined, generateKeyPairSync('ed25519').privateKey), body, NOW)).toBe(false);
    expect(verifyDiscordRequest(key, signed(body, Math.floor(NOW / 1000) - 301), body, NOW)).toBe(false);
    expect(verifyDiscordRequest(key, signed(body, Math.floor(NOW / 1000) + 301), body, NOW)).toBe(false);
    expect(verifyDiscordRequest(key, {}, body, NOW)).toBe(false);
    expect(discordPublicKey('nothex')).toBeNull();
  });

  it('property: verify(sign(x)) holds and any change of the body breaks it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), (body, pos) => {
        const h = signed(body);
        expect(verifyDiscordRequest(key, h, body, NOW)).toBe(true);
        const i = pos % body.length;
        const tampered = body.slice(0, i) + (body[i] === 'a' ? 'b' : 'a') + body.slice(i + 1);
        expect(verifyDiscordRequest(key, h, tampered, NOW)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('Discord renderer and inbound', () => {
  const platform = discordPlatform(new DiscordClient({ baseUrl: 'http://127.0.0.1:1', token: 't', egress: new EgressPolicy() }), key);
  const req = (body: string) => ({ headers: signed(body), rawBody: body, contentType: 'application/json', now: NOW });

  it('property: every message renders within 2000 characters and pings nobody; escaped text has no live Markdown', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (text) => {
        for (const m of [
          { kind: 'reply', text },
          { ...samplePage(), title: text, details: text },
        ] as Message[]) {
          const r = renderDiscord(m);
          expect(r.content.length).toBeLessThanOrEqual(2000);
          expect(r.allowed_mentions).toEqual({ parse: [] });
        }
        expect(escapeDiscord(text)).not.toMatch(/(^|[^\\])[*_`~|<]/);
      }),
    );
  });

  it('parses a signed button and command; property: any signed body is answered without throwing', async () => {
    const press = JSON.stringify({ type: 3, member: { user: { id: '1' } }, data: { custom_id: 'klaxon:resolve:inc-1' } });
    expect(await platform.inbound('interactions', req(press))).toEqual({ kind: 'action', userId: '1', incident: 'inc-1', action: 'resolve' });
    const cmd = JSON.stringify({ type: 2, channel_id: '9', user: { id: '2' }, data: { name: 'klaxon', options: [{ name: 'command', value: 'ack 4' }] } });
    expect(await platform.inbound('interactions', req(cmd))).toEqual({ kind: 'command', channelId: '9', userId: '2', text: 'ack 4' });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (body) => {
        const r = await platform.inbound('interactions', req(body));
        expect(['reply', 'action', 'command']).toContain(r.kind);
      }),
    );
  });

  it('snowflakes order with time', () => {
    fc.assert(fc.property(fc.integer({ min: 1_420_070_400_000, max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 1e9 }), (a, d) => BigInt(snowflakeAt(a)) < BigInt(snowflakeAt(a + d))));
  });
});
