import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTelnyxWebhook, telnyxPublicKey } from './signature.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const pair = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const key = telnyxPublicKey(pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'));
const sig = (body: string, tsSec: number, k = pair.privateKey) => sign(null, Buffer.from(`${tsSec}|${body}`), k).toString('base64');

describe('checkTelnyxWebhook', () => {
  it('accepts Ed25519 signatures of "<timestamp>|<body>" within 5 minutes', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -299, max: 299 }), (body, age) => {
        const ts = Math.floor(NOW / 1000) - age;
        expect(checkTelnyxWebhook(key, sig(body, ts), String(ts), body, NOW)).toBeNull();
      }),
    );
  });

  it('refuses another key, another body or timestamp, a stale timestamp, and missing headers', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 301, max: 10_000_000 }), (body, otherBody, age) => {
        fc.pre(body !== otherBody);
        const ts = Math.floor(NOW / 1000);
        expect(checkTelnyxWebhook(key, sig(body, ts, other.privateKey), String(ts), body, NOW)).not.toBeNull();
        expect(checkTelnyxWebhook(key, sig(body, ts), String(ts), otherBody, NOW)).not.toBeNull();
        expect(checkTelnyxWebhook(key, sig(body, ts), String(ts + 1), body, NOW)).not.toBeNull();
        expect(checkTelnyxWebhook(key, sig(body, ts - age), String(ts - age), body, NOW)).toMatch(/stale/);
        expect(checkTelnyxWebhook(key, undefined, String(ts), body, NOW)).not.toBeNull();
        expect(checkTelnyxWebhook(key, sig(body, ts), undefined, body, NOW)).not.toBeNull();
        expect(checkTelnyxWebhook(null, sig(body, ts), String(ts), body, NOW)).not.toBeNull();
      }),
    );
  });

  it('never throws on arbitrary header values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (s, ts, body) => {
        expect(typeof checkTelnyxWebhook(key, s, ts, body, NOW)).toBe('string');
      }),
    );
  });
});
