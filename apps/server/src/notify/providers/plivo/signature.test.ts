import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakePlivo } from '../../../../test/fakes/plivo/server.js';
import { computePlivoSignatureV3, NonceMemory, plivoBaseString, validatePlivoSignatureV3 } from './signature.js';

const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
const params = fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 6 });
const query = fc.dictionary(key, fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxKeys: 3 });
const url = fc.tuple(fc.constantFrom('https://klaxon.example.com', 'http://127.0.0.1:8080'), fc.constantFrom('/integrations/v1/plivo/sms', '/integrations/v1/plivo/status'), query).map(([b, p, q]) => {
  const qs = new URLSearchParams(q).toString();
  return `${b}${p}${qs ? `?${qs}` : ''}`;
});

describe('Plivo signature V3', () => {
  it('matches the documented algorithm as the fake computes it, and accepts its own signatures', () => {
    const plivo = new FakePlivo();
    fc.assert(
      fc.property(url, params, fc.stringMatching(/^[0-9]{5,20}$/), (u, p, nonce) => {
        const sig = computePlivoSignatureV3(plivo.authToken, u, nonce, p);
        expect(sig).toBe(plivo.signature(u, p, nonce));
        expect(validatePlivoSignatureV3(plivo.authToken, sig, nonce, u, p)).toBe(true);
        expect(validatePlivoSignatureV3(plivo.authToken, `bogus,${sig}`, nonce, u, p)).toBe(true);
      }),
    );
  });

  it('refuses another token, nonce, URL or parameter', () => {
    fc.assert(
      fc.property(url, params, key, fc.string({ minLength: 1, maxLength: 10 }), (u, p, k, v) => {
        const sig = computePlivoSignatureV3('token-a', u, '123', p);
        expect(validatePlivoSignatureV3('token-b', sig, '123', u, p)).toBe(false);
        expect(validatePlivoSignatureV3('token-a', sig, '124', u, p)).toBe(false);
        expect(validatePlivoSignatureV3('token-a', sig, '123', `${u}x`, p)).toBe(false);
        fc.pre(p[k] !== `${p[k] ?? ''}${v}`);
        expect(validatePlivoSignatureV3('token-a', sig, '123', u, { ...p, [k]: `${p[k] ?? ''}${v}` })).toBe(false);
        expect(validatePlivoSignatureV3('token-a', undefined, '123', u, p)).toBe(false);
        expect(validatePlivoSignatureV3('token-a', sig, undefined, u, p)).toBe(false);
      }),
    );
  });

  it('builds the base string as documented', () => {
    expect(plivoBaseString('https://k.example/a?b=2&a=1', { To: '1', From: '2' })).toBe('https://k.example/a?a=1&b=2.From2To1');
    expect(plivoBaseString('https://k.example/a', { To: '1' })).toBe('https://k.example/a?To1');
    expect(plivoBaseString('https://k.example/a?x=1', {})).toBe('https://k.example/a?x=1');
  });

  it('a nonce is accepted once within its window', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 30 }), (nonces) => {
        const m = new NonceMemory(60_000);
        for (const n of nonces) expect(m.use(n, 1000)).toBe(true);
        for (const n of nonces) expect(m.use(n, 2000)).toBe(false);
        for (const n of nonces) expect(m.use(n, 1000 + 60_000)).toBe(true);
      }),
    );
  });
});
