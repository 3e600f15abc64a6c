import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeTwilioSignature, validateTwilioSignature } from './signature.js';

// The worked example from Twilio's webhook security documentation
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
const EXPECTED = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('Twilio signature', () => {
  it("matches Twilio's documented example", () => {
    expect(computeTwilioSignature(TOKEN, URL_, PARAMS)).toBe(EXPECTED);
    expect(validateTwilioSignature(TOKEN, EXPECTED, URL_, PARAMS)).toBe(true);
  });

  it('does not depend on the order parameters are given in', () => {
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    expect(computeTwilioSignature(TOKEN, URL_, reversed)).toBe(EXPECTED);
  });

  it('rejects a changed parameter, URL, token, or a missing/short header', () => {
    expect(validateTwilioSignature(TOKEN, EXPECTED, URL_, { ...PARAMS, Digits: '9' })).toBe(false);
    expect(validateTwilioSignature(TOKEN, EXPECTED, URL_, { ...PARAMS, Extra: '' })).toBe(false);
    expect(validateTwilioSignature(TOKEN, EXPECTED, 'https://mycompany.com/myapp.php?foo=1&bar=3', PARAMS)).toBe(false);
    expect(validateTwilioSignature('54321', EXPECTED, URL_, PARAMS)).toBe(false);
    expect(validateTwilioSignature(TOKEN, undefined, URL_, PARAMS)).toBe(false);
    expect(validateTwilioSignature(TOKEN, '', URL_, PARAMS)).toBe(false);
    expect(validateTwilioSignature(TOKEN, EXPECTED.slice(0, -1), URL_, PARAMS)).toBe(false);
  });

  it('accepts the URL with or without the default port, like Twilio helpers do', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(validateTwilioSignature(TOKEN, EXPECTED, withPort, PARAMS)).toBe(true);
    const sig = computeTwilioSignature(TOKEN, withPort, PARAMS);
    expect(validateTwilioSignature(TOKEN, sig, URL_, PARAMS)).toBe(true);
    expect(validateTwilioSignature(TOKEN, EXPECTED, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', PARAMS)).toBe(false);
  });

  const paramsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 8 });

  it('property: validate(compute(x)) holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.webUrl({ withQueryParameters: true }), paramsArb, (token, url, params) => {
        expect(validateTwilioSignature(token, computeTwilioSignature(token, url, params), url, params)).toBe(true);
      }),
    );
  });

  it('property: changing any single character of the URL or a value, or of the signature, breaks it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.webUrl(),
        paramsArb,
        fc.nat(),
        fc.integer({ min: 1, max: 0xff }),
        fc.constantFrom('url', 'param', 'signature'),
        (token, url, params, pos, delta, target) => {
          const sig = computeTwilioSignature(token, url, params);
          if (target === 'url') {
            const i = pos % url.length;
            const changed = url.slice(0, i) + String.fromCharCode((url.charCodeAt(i) + delta) % 0x10000) + url.slice(i + 1);
            // Adding/removing a default port is deliberately accepted; such a change cannot come from one character.
            expect(validateTwilioSignature(token, sig, changed, params)).toBe(false);
          } else if (target === 'param') {
            const keys = Object.keys(params);
            if (keys.length === 0) return;
            const k = keys[pos % keys.length] as string;
            const v = params[k] ?? '';
            const i = v.length === 0 ? 0 : pos % v.length;
            const changed = v.length === 0 ? 'x' : v.slice(0, i) + String.fromCharCode((v.charCodeAt(i) + delta) % 0x10000) + v.slice(i + 1);
            if (changed === v) return;
            expect(validateTwilioSignature(token, sig, url, { ...params, [k]: changed })).toBe(false);
          } else {
            const i = pos % sig.length;
            const replacement = sig[i] === 'A' ? 'B' : 'A';
            expect(validateTwilioSignature(token, sig.slice(0, i) + replacement + sig.slice(i + 1), url, params)).toBe(false);
          }
        },
      ),
    );
  });
});
